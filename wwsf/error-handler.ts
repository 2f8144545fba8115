/** The one error handler of the WWSF's hono applications: every failure becomes an RFC 9457 problem. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ProblemError, problemResponse } from './problem.ts';
import type { WwsfServices } from './services.ts';

/** The one error handler: ProblemError as is, hono's own HTTP errors by status, anything else 500. */
export function answerError(error: unknown, c: Context, s: Pick<WwsfServices, 'logger'>): Response {
  if (error instanceof ProblemError) return problemResponse(error);
  if (error instanceof HTTPException && error.status < 500)
    return problemResponse(new ProblemError(error.status, error.message || 'the request was refused'));
  s.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'WWSF request failed');
  return problemResponse(new ProblemError(500, 'the request failed; see the server log'));
}

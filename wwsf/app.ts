/**
 * The WWSF's HTTP application (hono): the discovery document, TURN credentials and the SAPI,
 * with one error handler that answers every failure as an RFC 9457 problem document.
 */

import { Hono } from 'hono';
import { mountDiscovery } from './discovery.ts';
import { answerError } from './error-handler.ts';
import { ProblemError, problemResponse } from './problem.ts';
import { createSapi } from './sapi/sapi.ts';
import type { WwsfServices } from './services.ts';

export function createWwsfApp(s: WwsfServices): Hono {
  const app = new Hono();
  app.onError((error, c) => answerError(error, c, s));
  app.notFound((c) => problemResponse(new ProblemError(404, `no resource at ${c.req.path}`)));
  mountDiscovery(app, s);
  app.route('/sapi', createSapi(s));
  return app;
}

/**
 * The provisioning-link routes (issue #6, the sip:carrier zero-config flow), one hono sub-app:
 *
 * - `POST /sapi/provisioning-links` `{ subscriberId, format: 'sipphone' | 'web', ttl? }` →
 *   `{ url, format, expiresAt }`: a sign-up back-end (authorised by the SAPI's rules, through the
 *   `authorize` option) asks for a link for one subscriber. `url` is always our https link
 *   `<base>/p?c=<sealed token>` (link-seal.ts): expiring, single use, no password in it.
 * - `GET /p?c=…`, `POST /p/redeem`: the launch handler (launch.ts).
 *
 * Every failure is an RFC 9457 problem document; nothing here logs a token, a code or a password.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Logger } from '../../app/logger.ts';
import type { Subscriber, SubscriberDirectory } from '../../store/directory.ts';
import { jsonPointer, ProblemError, problemResponse } from '../problem.ts';
import { activeSubscriber, sipPhoneAccount } from './accounts.ts';
import type { ProvisioningConfig } from './config.ts';
import { launchRoutes } from './launch.ts';
import { LinkSealer, newNonce } from './link-seal.ts';
import { MemoryUsedNonces, type UsedNonces } from './used-nonces.ts';

export const PROVISIONING_LINKS_PATH = '/sapi/provisioning-links';
/** Lifetime of a link when the request gives none, and the bounds of `ttl` (seconds). */
export const LINK_TTL = { default: 86_400, min: 60, max: 604_800 } as const;

/** What the caller's credentials allow, from `authorize`. */
export interface ProvisioningGrant {
  /** May the caller hand out a link for this subscriber? False answers 404 (as if absent). */
  mayProvision(subscriber: Subscriber): boolean | Promise<boolean>;
}

export interface ProvisioningRoutesOptions {
  readonly config: ProvisioningConfig;
  readonly directory: SubscriberDirectory;
  /** The SAPI's authorisation: rejects with a ProblemError (401/403) or returns the caller's grant. */
  readonly authorize: (request: Request) => Promise<ProvisioningGrant>;
  /** Where used link and code nonces are remembered; default in memory (one instance only). */
  readonly usedNonces?: UsedNonces;
  /** Path of the web client on the base URL; default `/`. */
  readonly webClientPath?: string;
  /** ms since the epoch; default Date.now */
  readonly now?: () => number;
  readonly logger: Logger;
}

/** What launch.ts needs, resolved once. */
export interface ProvisioningRuntime {
  readonly directory: SubscriberDirectory;
  readonly sealer: LinkSealer;
  readonly sipPhone: { readonly key: Buffer; readonly iv: Buffer } | undefined;
  readonly usedNonces: UsedNonces;
  readonly webClientPath: string;
  readonly now: () => number;
  readonly logger: Logger;
  /** The public base URL: PROVISIONING_BASE_URL, else the request's origin. */
  base(request: Request): string;
}

export const LinkRequest = z.strictObject({
  subscriberId: z.string().min(1).max(256),
  format: z.enum(['sipphone', 'web']),
  ttl: z.number().int().min(LINK_TTL.min).max(LINK_TTL.max).optional(),
});

function fieldProblem(status: number, pointer: string, detail: string): ProblemError {
  return new ProblemError(status, detail, { errors: [{ pointer, detail }] });
}

async function readBody(request: Request): Promise<z.infer<typeof LinkRequest>> {
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
    throw new ProblemError(415, 'the body must be application/json');
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new ProblemError(400, 'the body is not valid JSON');
  }
  const parsed = LinkRequest.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: jsonPointer([...issue.path, key]),
          detail: 'is not a known field',
        }))
      : [{ pointer: jsonPointer(issue.path), detail: issue.message }],
  );
  throw new ProblemError(422, 'the body does not match the schema', { errors });
}

export function provisioningRoutes(options: ProvisioningRoutesOptions): Hono {
  const { config, directory, logger } = options;
  if (config.linkSecret === undefined) throw new Error('PROVISIONING_LINK_SECRET is not set');
  if ((config.sipPhoneKey === undefined) !== (config.sipPhoneIv === undefined))
    throw new Error('PROVISIONING_KEY and PROVISIONING_IV must be set together');
  const now = options.now ?? Date.now;
  const runtime: ProvisioningRuntime = {
    directory,
    sealer: new LinkSealer(config.linkSecret),
    sipPhone:
      config.sipPhoneKey !== undefined && config.sipPhoneIv !== undefined
        ? { key: config.sipPhoneKey, iv: config.sipPhoneIv }
        : undefined,
    usedNonces: options.usedNonces ?? new MemoryUsedNonces(now),
    webClientPath: options.webClientPath ?? '/',
    now,
    logger,
    base: (request) => config.baseUrl ?? new URL(request.url).origin,
  };

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(error);
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'provisioning request failed');
    return problemResponse(new ProblemError(500, 'the request failed; see the server log'));
  });

  app.post(PROVISIONING_LINKS_PATH, async (c) => {
    const grant = await options.authorize(c.req.raw);
    const body = await readBody(c.req.raw);
    const subscriber = await directory.getSubscriber(body.subscriberId);
    if (subscriber === undefined || !(await grant.mayProvision(subscriber)))
      throw fieldProblem(404, '/subscriberId', `no subscriber ${body.subscriberId}`);
    if ((await activeSubscriber(directory, subscriber.id, subscriber.domain)) === undefined)
      throw fieldProblem(422, '/subscriberId', 'the subscriber is disabled');
    if (body.format === 'sipphone') {
      if (runtime.sipPhone === undefined)
        throw fieldProblem(
          422,
          '/format',
          'sipphone links are not configured (PROVISIONING_KEY, PROVISIONING_IV)',
        );
      if ((await sipPhoneAccount(directory, subscriber.id)) === undefined)
        throw fieldProblem(422, '/subscriberId', 'the subscriber has no IMS identity with a digest password');
    }
    const expiresAt = now() + (body.ttl ?? LINK_TTL.default) * 1000;
    const token = runtime.sealer.seal('link', {
      subscriberId: subscriber.id,
      domain: subscriber.domain,
      format: body.format,
      expiresAt,
      nonce: newNonce(),
    });
    logger.info(
      { subscriberId: subscriber.id, domain: subscriber.domain, format: body.format, expiresAt },
      'provisioning link issued',
    );
    c.header('cache-control', 'no-store');
    return c.json({
      url: `${runtime.base(c.req.raw)}/p?c=${token}`,
      format: body.format,
      expiresAt: new Date(expiresAt).toISOString(),
    });
  });

  launchRoutes(app, runtime);
  return app;
}

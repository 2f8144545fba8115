/**
 * The launch handler of provisioning links.
 *
 * `GET /p?c=<link>`: the link is opened, checked (400 if not ours or altered, 410 if expired),
 * spent (410 if already used), and its subscriber looked up again (410 if gone or disabled).
 * Then, by format:
 * - `sipphone`: 302 `Location: sipphone://<base64>` (sipphone.ts), built now from the
 *   subscriber's current IMS identity, so the password is never part of an https URL;
 * - `web`: 302 to the web client with a one-time code in the fragment
 *   (`<base><webClientPath>#provisioning=<code>`: a fragment is not sent to servers or in
 *   Referer), valid CODE_TTL_MS.
 *
 * `POST /p/redeem` `{ code }`: the web client trades the code (once) for what it needs to start
 * pre-configured: `{ subscriberId, domain, username, discovery }`; it then signs in at the WAF
 * with `username` as the login hint. The code is no credential for the WAF itself.
 */
import type { Hono } from 'hono';
import { DISCOVERY_PATH } from '../discovery.ts';
import { ProblemError } from '../problem.ts';
import { activeSubscriber, sipPhoneAccount } from './accounts.ts';
import { LinkProblem } from './link-problem.ts';
import { type LinkClaims, newNonce, type SealPurpose } from './link-seal.ts';
import type { ProvisioningRuntime } from './provisioning-routes.ts';
import { encodeSipPhoneLink } from './sipphone.ts';

export const LAUNCH_PATH = '/p';
export const REDEEM_PATH = '/p/redeem';
/** How long the web client has to redeem its one-time code. */
export const CODE_TTL_MS = 120_000;

/** Opens, checks and spends a link or code: the claims, or a LinkProblem. */
async function spend(rt: ProvisioningRuntime, purpose: SealPurpose, token: string): Promise<LinkClaims> {
  const claims = rt.sealer.open(purpose, token);
  if (claims === undefined) throw new LinkProblem('invalid', purpose);
  if (rt.now() >= claims.expiresAt) throw new LinkProblem('expired', purpose);
  if (!(await rt.usedNonces.use(claims.nonce, claims.expiresAt))) throw new LinkProblem('used', purpose);
  return claims;
}

function redirect(location: string): Response {
  return new Response(null, {
    status: 302,
    headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  });
}

export function launchRoutes(app: Hono, rt: ProvisioningRuntime): void {
  app.get(LAUNCH_PATH, async (c) => {
    const token = c.req.query('c');
    if (token === undefined || token === '')
      throw new ProblemError(400, 'the link has no code', {
        errors: [{ pointer: '/query/c', detail: 'is required' }],
      });
    const claims = await spend(rt, 'link', token);
    const subscriber = await activeSubscriber(rt.directory, claims.subscriberId, claims.domain);
    if (subscriber === undefined) throw new LinkProblem('revoked');
    const log = { subscriberId: subscriber.id, domain: subscriber.domain, format: claims.format };
    if (claims.format === 'sipphone') {
      const account = await sipPhoneAccount(rt.directory, subscriber.id);
      if (account === undefined || rt.sipPhone === undefined) throw new LinkProblem('revoked');
      rt.logger.info(log, 'provisioning link launched');
      return redirect(encodeSipPhoneLink(account, rt.sipPhone));
    }
    const code = rt.sealer.seal('code', {
      ...claims,
      expiresAt: Math.min(claims.expiresAt, rt.now() + CODE_TTL_MS),
      nonce: newNonce(),
    });
    rt.logger.info(log, 'provisioning link launched');
    return redirect(`${rt.base(c.req.raw)}${rt.webClientPath}#provisioning=${code}`);
  });

  app.post(REDEEM_PATH, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ProblemError(400, 'the body is not valid JSON');
    }
    const code = (body as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || code === '')
      throw new ProblemError(422, 'the body does not match the schema', {
        errors: [{ pointer: '/code', detail: 'must be a non-empty string' }],
      });
    const claims = await spend(rt, 'code', code);
    if (claims.format !== 'web') throw new LinkProblem('invalid', 'code');
    const subscriber = await activeSubscriber(rt.directory, claims.subscriberId, claims.domain);
    if (subscriber === undefined) throw new LinkProblem('revoked', 'code');
    rt.logger.info({ subscriberId: subscriber.id, domain: subscriber.domain }, 'provisioning code redeemed');
    const base = rt.base(c.req.raw);
    c.header('cache-control', 'no-store');
    return c.json({
      subscriberId: subscriber.id,
      domain: subscriber.domain,
      username: subscriber.username,
      discovery: `${base}${DISCOVERY_PATH}?domain=${encodeURIComponent(subscriber.domain)}`,
    });
  });
}

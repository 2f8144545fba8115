/**
 * The client discovery document (W1): everything a WIC needs to start, at one well-known path,
 * `GET /.well-known/webrtc-ims[?domain=<tenant>]`. It names the eP-CSCF's SIP WebSocket URL(s),
 * the ICE servers (TURN ones with a credential of their own only when the request carries a valid
 * access token), the WAF issuer and the WIC's client id, the SIP domain, and the capabilities.
 * `GET /turn-credentials` issues a fresh TURN credential alone (access token required).
 *
 * The tenant is, in order: `?domain=`, the caller's token domain, the Host name when it is a
 * known domain, WWSF_DEFAULT_DOMAIN. An unknown tenant is a 404 problem.
 */

import type { Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type { IceUrl } from '../eims-agw/index.ts';
import { isTurnUrl, turnCredentials } from '../eims-agw/index.ts';
import type { Domain } from '../store/directory.ts';
import { IMS_AUDIENCE, IMS_SCOPE, type ImsAccessToken } from '../token/claims.ts';
import { forbidden, optionalCaller, requiredCaller } from './bearer.ts';
import { anonymousCapabilities, callerCapabilities, domainCapabilities } from './caller-capabilities.ts';
import { ProblemError } from './problem.ts';
import type { WwsfServices } from './services.ts';

export const DISCOVERY_PATH = '/.well-known/webrtc-ims';
export const TURN_CREDENTIALS_PATH = '/turn-credentials';

const DOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

async function resolveDomain(
  c: Context,
  s: WwsfServices,
  caller: ImsAccessToken | undefined,
): Promise<Domain> {
  const asked = c.req.query('domain');
  if (asked !== undefined) {
    const name = asked.toLowerCase();
    if (!DOMAIN.test(name))
      throw new ProblemError(400, 'domain is not a domain name', {
        errors: [{ pointer: '/query/domain', detail: 'expected a domain name such as example.com' }],
      });
    if (caller !== undefined && caller.identity.domain !== name)
      throw forbidden(`the access token is for domain ${caller.identity.domain}, not ${name}`);
    const domain = await s.directory.getDomain(name);
    if (domain === undefined)
      throw new ProblemError(404, `no domain ${name} is served here`, {
        errors: [{ pointer: '/query/domain', detail: 'unknown domain' }],
      });
    return domain;
  }
  const candidates = [
    caller?.identity.domain,
    new URL(c.req.url).hostname.toLowerCase(),
    s.config.defaultDomain,
  ].filter((n): n is string => n !== undefined && n !== '');
  // With a token, only the token's domain will do.
  for (const name of caller === undefined ? candidates : candidates.slice(0, 1)) {
    const domain = await s.directory.getDomain(name);
    if (domain !== undefined) return domain;
  }
  throw new ProblemError(404, 'no domain is served at this host name; name one with ?domain=', {
    errors: [{ pointer: '/query/domain', detail: 'missing, and the host name is not a known domain' }],
  });
}

function webSocketUrls(c: Context, s: WwsfServices): readonly string[] {
  if (s.config.wssUrls.length > 0) return s.config.wssUrls;
  const url = new URL(c.req.url);
  // SIP_WS_PORT: the eP-CSCF (its workers) listens on a port of its own, on the same host.
  const host = s.config.sipWsPort === undefined ? url.host : `${url.hostname}:${s.config.sipWsPort}`;
  return [`${url.protocol === 'https:' ? 'wss' : 'ws'}://${host}${s.config.wsPath}`];
}

function turnUrls(s: WwsfServices): IceUrl[] {
  return s.config.turnSecret === undefined ? [] : s.config.turnUrls.filter(isTurnUrl);
}

function issueTurn(s: WwsfServices, caller: ImsAccessToken) {
  const secret = s.config.turnSecret;
  const urls = turnUrls(s);
  if (secret === undefined || urls.length === 0) return undefined;
  return turnCredentials({
    secret,
    ttlSeconds: s.config.turnTtl,
    user: caller.subject,
    now: s.wallClock(),
    urls: urls.map((u) => u.text),
  });
}

function iceServers(s: WwsfServices, caller: ImsAccessToken | undefined): IceServer[] {
  const stun = s.config.turnUrls.filter((u) => !isTurnUrl(u)).map((u) => u.text);
  const servers: IceServer[] = stun.length > 0 ? [{ urls: stun }] : [];
  const turn = caller === undefined ? undefined : issueTurn(s, caller);
  if (turn !== undefined)
    servers.push({ urls: turn.urls, username: turn.username, credential: turn.credential });
  return servers;
}

/** The document for a domain, as the given caller (or an anonymous visitor) sees it. */
async function discoveryDocument(
  c: Context,
  s: WwsfServices,
  domain: Domain,
  caller: ImsAccessToken | undefined,
) {
  const origin = new URL(c.req.url).origin;
  const issuer = s.issuer();
  return {
    domain: domain.name,
    sipDomain: s.config.sipDomain,
    webSocketUrls: webSocketUrls(c, s),
    iceServers: iceServers(s, caller),
    ...(turnUrls(s).length > 0
      ? { turn: { credentialsUrl: `${origin}${TURN_CREDENTIALS_PATH}`, ttl: s.config.turnTtl } }
      : {}),
    ...(issuer === undefined
      ? {}
      : {
          authorization: {
            issuer,
            metadata: `${issuer}/.well-known/openid-configuration`,
            clientId: s.config.wicClientId,
            resource: IMS_AUDIENCE,
            scope: `openid ${IMS_SCOPE}`,
          },
        }),
    capabilities:
      caller === undefined
        ? domainCapabilities(domain)
        : await callerCapabilities(s.directory, domain, caller),
    anonymous: domain.anonymous.enabled
      ? { enabled: true, capabilities: anonymousCapabilities(domain) }
      : { enabled: false },
    sapi: `${origin}/sapi`,
    ...(caller === undefined
      ? {}
      : {
          identity:
            caller.identity.kind === 'pool'
              ? { subject: caller.subject, pool: true }
              : { subject: caller.subject, impu: caller.identity.impu, impi: caller.identity.impi },
        }),
  };
}

/** Whether some domain's pages run on `origin` (its allowedOrigins). */
async function originServed(s: WwsfServices, origin: string): Promise<boolean> {
  if (origin === '') return false;
  const domains = await s.directory.listDomains();
  return domains.some((d) => d.allowedOrigins.includes(origin));
}

/** Mounts the discovery document and the TURN credential endpoint. */
export function mountDiscovery(app: Hono, s: WwsfServices): void {
  // A WIC served from one of a domain's own origins (allowedOrigins) may read these across
  // origins (Fetch CORS): the origin is echoed only when some domain lists it.
  const crossOrigin = cors({
    origin: async (origin) => ((await originServed(s, origin)) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'OPTIONS'],
    allowHeaders: ['Authorization'],
    maxAge: 600,
  });
  app.use(DISCOVERY_PATH, crossOrigin);
  app.use(TURN_CREDENTIALS_PATH, crossOrigin);
  app.get(DISCOVERY_PATH, async (c) => {
    const caller = await optionalCaller(c.req.header('authorization'), s.checkToken);
    const domain = await resolveDomain(c, s, caller);
    const body = await discoveryDocument(c, s, domain, caller);
    c.header('vary', 'Authorization');
    // A document with a TURN credential is the caller's alone.
    c.header(
      'cache-control',
      caller === undefined ? `public, max-age=${s.config.discoveryMaxAge}` : 'private, no-store',
    );
    return c.json(body);
  });

  app.get(TURN_CREDENTIALS_PATH, async (c) => {
    const caller = await requiredCaller(c.req.header('authorization'), s.checkToken);
    const issued = issueTurn(s, caller);
    if (issued === undefined)
      throw new ProblemError(
        404,
        'no TURN server is configured here (TURN_SECRET and turn: URLs in TURN_URLS)',
      );
    c.header('cache-control', 'private, no-store');
    return c.json({
      urls: issued.urls,
      username: issued.username,
      credential: issued.credential,
      ttl: issued.ttl,
      expiresAt: issued.expiresAt,
    });
  });
}

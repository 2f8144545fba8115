/**
 * The client configuration, read from the WWSF's discovery document
 * (`GET /.well-known/webrtc-ims`, wwsf/discovery.ts): the eP-CSCF WebSocket URL(s), the ICE
 * servers, the WAF (issuer, metadata URL, client id, resource, scope), the SIP domain, the
 * capabilities and, when the request carried an access token, the identity the token grants.
 * Parsed here, at the edge, into a typed value; nothing else in the client reads raw JSON.
 */

export interface IceServerConfig {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

export interface AuthorizationConfig {
  readonly issuer: string;
  /** the OpenID Connect discovery URL of the WAF */
  readonly metadata: string;
  readonly clientId: string;
  /** the RFC 8707 resource indicator of the eP-CSCF */
  readonly resource: string;
  readonly scope: string;
}

export type TokenIdentity =
  | { readonly kind: 'subscriber'; readonly subject: string; readonly impu: string; readonly impi: string }
  | { readonly kind: 'pool'; readonly subject: string };

export interface ClientConfig {
  /** the tenant (web domain) */
  readonly domain: string;
  /** the IMS home domain: targets typed without a host are completed with it */
  readonly sipDomain: string;
  readonly webSocketUrls: readonly string[];
  readonly iceServers: readonly IceServerConfig[];
  readonly authorization: AuthorizationConfig | undefined;
  readonly capabilities: readonly string[];
  readonly anonymous: { readonly enabled: boolean; readonly capabilities: readonly string[] };
  readonly identity: TokenIdentity | undefined;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `new URL` without throwing (URL.parse is too recent for some browsers still in use). */
export function tryUrl(text: string, base?: string): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function parseIceServer(v: unknown): IceServerConfig | undefined {
  if (!isRecord(v)) return undefined;
  const urls = typeof v.urls === 'string' ? [v.urls] : strings(v.urls);
  if (urls === undefined) return undefined;
  const { username, credential } = v;
  if (username !== undefined && typeof username !== 'string') return undefined;
  if (credential !== undefined && typeof credential !== 'string') return undefined;
  return {
    urls,
    ...(username === undefined ? {} : { username }),
    ...(credential === undefined ? {} : { credential }),
  };
}

function parseAuthorization(v: unknown): ParseResult<AuthorizationConfig | undefined> {
  if (v === undefined) return { ok: true, value: undefined };
  if (!isRecord(v)) return { ok: false, reason: 'authorization is not an object' };
  const { issuer, metadata, clientId, resource, scope } = v;
  if (typeof issuer !== 'string' || tryUrl(issuer) === undefined)
    return { ok: false, reason: 'authorization.issuer is not a URL' };
  if (typeof clientId !== 'string' || clientId === '')
    return { ok: false, reason: 'authorization.clientId is missing' };
  const meta = typeof metadata === 'string' ? metadata : `${issuer}/.well-known/openid-configuration`;
  if (tryUrl(meta) === undefined) return { ok: false, reason: 'authorization.metadata is not a URL' };
  return {
    ok: true,
    value: {
      issuer,
      metadata: meta,
      clientId,
      resource: typeof resource === 'string' ? resource : '',
      scope: typeof scope === 'string' ? scope : 'openid',
    },
  };
}

function parseIdentity(v: unknown): TokenIdentity | undefined {
  if (!isRecord(v) || typeof v.subject !== 'string') return undefined;
  if (v.pool === true) return { kind: 'pool', subject: v.subject };
  if (typeof v.impu === 'string' && typeof v.impi === 'string')
    return { kind: 'subscriber', subject: v.subject, impu: v.impu, impi: v.impi };
  return undefined;
}

/**
 * Reads the discovery document. `base` resolves relative WebSocket URLs (and accepts the early
 * `{ websocketUrls, issuer, clientId }` spelling of the same facts).
 */
export function parseDiscovery(json: unknown, base: string): ParseResult<ClientConfig> {
  if (!isRecord(json)) return { ok: false, reason: 'the discovery document is not a JSON object' };
  const domain = json.domain;
  if (typeof domain !== 'string' || domain === '') return { ok: false, reason: 'domain is missing' };
  const sipDomain = typeof json.sipDomain === 'string' && json.sipDomain !== '' ? json.sipDomain : domain;
  const rawUrls = strings(json.webSocketUrls ?? json.websocketUrls);
  if (rawUrls === undefined || rawUrls.length === 0)
    return { ok: false, reason: 'webSocketUrls is missing or empty' };
  const webSocketUrls: string[] = [];
  for (const raw of rawUrls) {
    const url = tryUrl(raw, base);
    if (url === undefined || (url.protocol !== 'wss:' && url.protocol !== 'ws:'))
      return { ok: false, reason: `webSocketUrls: ${raw} is not a ws: or wss: URL` };
    webSocketUrls.push(url.href);
  }
  const iceRaw = json.iceServers === undefined ? [] : json.iceServers;
  if (!Array.isArray(iceRaw)) return { ok: false, reason: 'iceServers is not a list' };
  const iceServers: IceServerConfig[] = [];
  for (const s of iceRaw) {
    const parsed = parseIceServer(s);
    if (parsed === undefined) return { ok: false, reason: 'iceServers holds an entry without urls' };
    iceServers.push(parsed);
  }
  const legacy =
    typeof json.issuer === 'string' && typeof json.clientId === 'string'
      ? { issuer: json.issuer, clientId: json.clientId }
      : undefined;
  const authorization = parseAuthorization(json.authorization ?? legacy);
  if (!authorization.ok) return authorization;
  const capabilities = strings(json.capabilities) ?? [];
  const anon = isRecord(json.anonymous) ? json.anonymous : {};
  return {
    ok: true,
    value: {
      domain,
      sipDomain,
      webSocketUrls,
      iceServers,
      authorization: authorization.value,
      capabilities,
      anonymous: { enabled: anon.enabled === true, capabilities: strings(anon.capabilities) ?? [] },
      identity: parseIdentity(json.identity),
    },
  };
}

/** RTCConfiguration ICE servers from the discovery document's list. */
export function rtcIceServers(config: ClientConfig): RTCIceServer[] {
  return config.iceServers.map((s) => ({
    urls: [...s.urls],
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.credential === undefined ? {} : { credential: s.credential }),
  }));
}

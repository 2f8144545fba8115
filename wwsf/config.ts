/**
 * WWSF configuration: one schema, read from environment variables (README.md's table is checked
 * against it by config.test.ts). WS_PATH and IMS_DOMAIN are the eP-CSCF's own variables, read
 * here too so that the discovery document points at the eP-CSCF of the same process.
 */
import { type EnvVar, host, integerIn, optionalPath, type Parsed } from '../app/config.ts';
import { type IceUrl, parseIceUrl } from '../eims-agw/index.ts';

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function webSocketUrls(raw: string): Parsed<readonly string[]> {
  const urls = list(raw);
  const bad = urls.find((u) => {
    try {
      const url = new URL(u);
      return url.protocol !== 'ws:' && url.protocol !== 'wss:';
    } catch {
      return true;
    }
  });
  return bad === undefined
    ? { ok: true, value: urls }
    : { ok: false, expected: 'a comma-separated list of ws:// or wss:// URLs' };
}

function iceUrls(raw: string): Parsed<readonly IceUrl[]> {
  const parsed = list(raw).map(parseIceUrl);
  const urls = parsed.filter((u): u is IceUrl => u !== undefined);
  return urls.length === parsed.length
    ? { ok: true, value: urls }
    : {
        ok: false,
        expected: 'a comma-separated list of stun:, stuns:, turn: or turns: URLs (RFC 7064/7065)',
      };
}

function optionalUrl(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || url.protocol === 'http:')
      return { ok: true, value: raw.replace(/\/$/, '') };
  } catch {}
  return { ok: false, expected: 'an http(s) URL' };
}

function path(raw: string): Parsed<string> {
  return /^\/[A-Za-z0-9._~/-]*$/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a path such as /sip' };
}

function optionalPort(raw: string): Parsed<number | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const port = integerIn(1, 65535)(raw);
  return port.ok ? port : { ok: false, expected: `empty or ${port.expected}` };
}

function domainName(raw: string): Parsed<string> {
  return /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a lower-case domain name' };
}

function optionalDomain(raw: string): Parsed<string | undefined> {
  return raw === '' ? { ok: true, value: undefined } : domainName(raw);
}

function text(raw: string): Parsed<string> {
  return raw === '' ? { ok: false, expected: 'a non-empty value' } : { ok: true, value: raw };
}

function optionalSecret(raw: string): Parsed<string | undefined> {
  return { ok: true, value: raw === '' ? undefined : raw };
}

export const WWSF_SCHEMA = {
  wssUrls: {
    env: 'WWSF_WSS_URLS',
    meaning:
      'Comma-separated WebSocket URLs of the eP-CSCF announced to clients; empty: WS_PATH on the origin the client reached',
    default: '',
    parse: webSocketUrls,
  },
  wsPath: {
    env: 'WS_PATH',
    meaning: "Path of the eP-CSCF's SIP WebSocket on the HTTP port (the eP-CSCF's variable)",
    default: '/sip',
    parse: path,
  },
  sipWsPort: {
    env: 'SIP_WS_PORT',
    meaning:
      "Port of the eP-CSCF's own SIP WebSocket listener (the eP-CSCF's variable; its workers share it): announced on the host name the client reached; empty: the HTTP port",
    default: '',
    parse: optionalPort,
  },
  sipDomain: {
    env: 'IMS_DOMAIN',
    meaning: "Home network domain announced as the SIP domain clients register to (the eP-CSCF's variable)",
    default: 'ims.lab',
    parse: domainName,
  },
  defaultDomain: {
    env: 'WWSF_DEFAULT_DOMAIN',
    meaning:
      'Tenant the discovery document describes when neither ?domain= nor the Host name is a known domain',
    default: '',
    parse: optionalDomain,
  },
  operatorDomain: {
    env: 'WWSF_OPERATOR_DOMAIN',
    meaning:
      "Domain whose admins administer every domain on the SAPI (and create top-level ones); empty: admins only their domain's subtree",
    default: '',
    parse: optionalDomain,
  },
  wafIssuer: {
    env: 'WAF_ISSUER',
    meaning: 'Issuer URL of the WAF whose tokens are accepted and announced; empty: the WAF of this process',
    default: '',
    parse: optionalUrl,
  },
  jwksUri: {
    env: 'JWKS_URI',
    meaning:
      "URL of the WAF's JWKS the access tokens are checked against; empty: jwks_uri from the issuer's metadata",
    default: '',
    parse: optionalUrl,
  },
  wicClientId: {
    env: 'WIC_CLIENT_ID',
    meaning: 'OAuth client id of the web client (WIC) at the WAF, announced in the discovery document',
    default: 'wic',
    parse: text,
  },
  turnUrls: {
    env: 'TURN_URLS',
    meaning:
      'Comma-separated ICE server URLs announced to clients: stun:/stuns: for everyone, turn:/turns: with per-client credentials',
    default: '',
    parse: iceUrls,
  },
  turnSecret: {
    env: 'TURN_SECRET',
    meaning:
      "Secret shared with coturn's static-auth-secret (use-auth-secret) for TURN REST credentials; empty: no TURN credentials",
    default: '',
    secret: true,
    parse: optionalSecret,
  },
  turnBinary: {
    env: 'TURNSERVER_BINARY',
    meaning:
      'coturn executable started on TURN_LOCAL_HOST:TURN_LOCAL_PORT when TURN_URLS is empty (its secret made per start); empty: never start one',
    default: '/usr/bin/turnserver',
    parse: optionalPath,
  },
  turnLocalHost: {
    env: 'TURN_LOCAL_HOST',
    meaning: 'Listening and relay address of the local coturn (browsers must reach it)',
    default: '127.0.0.1',
    parse: host,
  },
  turnLocalPort: {
    env: 'TURN_LOCAL_PORT',
    meaning: 'STUN/TURN port (UDP and TCP) of the local coturn; its relay ports are the 200 above it',
    default: '3478',
    parse: integerIn(1, 65_335),
  },
  turnTtl: {
    env: 'TURN_TTL',
    meaning:
      'Seconds a TURN credential stays valid; coturn refuses new allocations with it afterwards (see README.md)',
    default: '3600',
    parse: integerIn(60, 604_800),
  },
  discoveryMaxAge: {
    env: 'DISCOVERY_MAX_AGE',
    meaning: 'Cache-Control max-age of the anonymous discovery document, seconds',
    default: '60',
    parse: integerIn(0, 86_400),
  },
} as const satisfies Record<string, EnvVar<unknown>>;

/**
 * eP-CSCF configuration: one schema, read from environment variables (see README.md's table,
 * checked against this schema by config.test.ts).
 */
import { type EnvVar, host, integerIn, oneOf, type Parsed } from '../app/config.ts';
import { parseUri, type SipUri } from '../sip/index.ts';

function optionalSipUri(raw: string): Parsed<SipUri | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const r = parseUri(raw);
  return r.ok && (r.uri.scheme === 'sip' || r.uri.scheme === 'sips')
    ? { ok: true, value: r.uri as SipUri }
    : { ok: false, expected: 'a SIP URI such as sip:127.0.0.1:5070;transport=udp' };
}

function list(raw: string): Parsed<readonly string[]> {
  return {
    ok: true,
    value: raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}

function text(raw: string): Parsed<string> {
  return { ok: true, value: raw };
}

function bool(raw: string): Parsed<boolean> {
  if (raw === 'true' || raw === '1') return { ok: true, value: true };
  if (raw === 'false' || raw === '0') return { ok: true, value: false };
  return { ok: false, expected: 'true or false' };
}

function optionalUrl(raw: string): Parsed<string> {
  if (raw === '') return { ok: true, value: '' };
  try {
    const u = new URL(raw);
    if (u.protocol === 'https:' || u.protocol === 'http:')
      return { ok: true, value: raw.replace(/\/+$/, '') };
  } catch {
    // not a URL
  }
  return { ok: false, expected: 'an http(s) URL such as https://wrtc.example.com/oauth' };
}

function optionalPort(raw: string): Parsed<number | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const port = integerIn(1, 65535)(raw);
  return port.ok ? port : { ok: false, expected: `empty or ${port.expected}` };
}

function domainName(raw: string): Parsed<string> {
  return /^[A-Za-z0-9.-]+$/.test(raw) ? { ok: true, value: raw } : { ok: false, expected: 'a domain name' };
}

export const EPCSCF_SCHEMA = {
  sipHost: {
    env: 'SIP_HOST',
    meaning: 'Address the Mw side (toward the IMS core) listens on and advertises in Via and Path',
    default: '127.0.0.1',
    parse: host,
  },
  sipPort: {
    env: 'SIP_PORT',
    meaning: 'UDP and TCP port of the Mw side; 0 picks a free port',
    default: '5060',
    parse: integerIn(0, 65535),
  },
  sipTlsPort: {
    env: 'SIP_TLS_PORT',
    meaning:
      'Port of SIP over TLS on the Mw side, listened on when the product has a certificate (TLS_CERT_FILE); 0 picks a free port',
    default: '5061',
    parse: integerIn(0, 65535),
  },
  imsCoreUri: {
    env: 'IMS_CORE_URI',
    meaning:
      'Next hop toward the IMS core (I-/S-CSCF), e.g. sip:10.0.0.5:5060;transport=tcp; empty: the built-in lab core',
    default: '',
    parse: optionalSipUri,
  },
  labCorePort: {
    env: 'LAB_CORE_PORT',
    meaning: 'UDP/TCP port of the built-in lab IMS core, used when IMS_CORE_URI is empty',
    default: '5070',
    parse: integerIn(0, 65535),
  },
  labSubscribers: {
    env: 'LAB_SUBSCRIBERS',
    meaning:
      'Subscribers file of the built-in lab core (format: conformance/lab-core/README.md); empty: its lab defaults',
    default: '',
    parse: text,
  },
  homeDomain: {
    env: 'IMS_DOMAIN',
    meaning:
      'Home network domain: the lab core serves it; used for P-Visited-Network-ID when VISITED_NETWORK_ID is empty',
    default: 'ims.lab',
    parse: domainName,
  },
  visitedNetworkId: {
    env: 'VISITED_NETWORK_ID',
    meaning: 'Value of P-Visited-Network-ID added to REGISTER (RFC 7315 §4.3); empty: IMS_DOMAIN',
    default: '',
    parse: text,
  },
  sipWsPort: {
    env: 'SIP_WS_PORT',
    meaning:
      'TCP port of a SIP WebSocket listener of its own (WS_PATH, WSS with TLS_CERT_FILE), on HTTP_HOST; required with EP_CSCF_WORKERS > 1, whose workers share it; empty: the WebSocket is on the HTTP port',
    default: '',
    parse: optionalPort,
  },
  wsPath: {
    env: 'WS_PATH',
    meaning: 'Path of the SIP WebSocket endpoint on the HTTP port',
    default: '/sip',
    parse: text,
  },
  allowedOrigins: {
    env: 'ALLOWED_ORIGINS',
    meaning:
      "Comma-separated Origins allowed to open the SIP WebSocket (TS 33.203 X.4); empty: the HTTP server's own origins",
    default: '',
    parse: list,
  },
  requireOrigin: {
    env: 'REQUIRE_ORIGIN',
    meaning: 'Refuse WebSocket handshakes without an Origin header (native apps send none)',
    default: 'false',
    parse: bool,
  },
  wsMaxMessage: {
    env: 'WS_MAX_MESSAGE',
    meaning: 'Largest SIP message accepted in one WebSocket message, in octets',
    default: '65535',
    parse: integerIn(1024, 1048576),
  },
  wsPingInterval: {
    env: 'WS_PING_INTERVAL',
    meaning: 'Seconds between WebSocket pings; a client that misses one is disconnected',
    default: '30',
    parse: integerIn(1, 3600),
  },
  flowTimer: {
    env: 'FLOW_TIMER',
    meaning: 'Flow-Timer seconds sent in the 2xx to an outbound REGISTER (RFC 5626 §4.4.1)',
    default: '120',
    parse: integerIn(10, 3600),
  },
  flowTokenKey: {
    env: 'FLOW_TOKEN_KEY',
    meaning: 'Secret keying the HMAC of flow tokens (RFC 5626 §5.2); empty: random at each start',
    default: '',
    secret: true,
    parse: text,
  },
  regEvent: {
    env: 'REG_EVENT',
    meaning: 'Subscribe to the reg event of each registered IMPU (TS 24.229 §5.2.3)',
    default: 'true',
    parse: bool,
  },
  wafIssuer: {
    env: 'WAF_ISSUER',
    meaning:
      'Issuer URL of the WAF whose access tokens REGISTER and other requests may carry (RFC 8898); empty: the WAF of this process, and bearer access off without one',
    default: '',
    parse: optionalUrl,
  },
  tokenValidation: {
    env: 'TOKEN_VALIDATION',
    meaning:
      'How access tokens are validated: jwks (JWT signature checked locally against the WAF JWKS) or introspection (RFC 7662 at the WAF)',
    default: 'jwks',
    parse: oneOf(['jwks', 'introspection'] as const),
  },
  jwksUri: {
    env: 'JWKS_URI',
    meaning: "URL of the WAF's JWKS; empty: jwks_uri from the issuer's metadata",
    default: '',
    parse: optionalUrl,
  },
  introspectionClientId: {
    env: 'INTROSPECTION_CLIENT_ID',
    meaning:
      "Client id the eP-CSCF authenticates with at the WAF's introspection endpoint; empty: the in-process WAF's resource-server client",
    default: '',
    parse: text,
  },
  introspectionClientSecret: {
    env: 'INTROSPECTION_CLIENT_SECRET',
    meaning: 'Secret of INTROSPECTION_CLIENT_ID (HTTP Basic, RFC 7662 §2.1)',
    default: '',
    secret: true,
    parse: text,
  },
  tokenCheckInterval: {
    env: 'TOKEN_CHECK_INTERVAL',
    meaning:
      'Seconds between revocation checks (introspection) of the tokens registrations rest on; 0: none (expiry still ends them)',
    default: '60',
    parse: integerIn(0, 86400),
  },
  overloadBusyPercent: {
    env: 'OVERLOAD_BUSY_PERCENT',
    meaning:
      'Share of time (%) the event loop was busy through each 100 ms of the last second at which client requests that start something new (out of dialog, not REGISTER, no answer to a challenge: INVITE, MESSAGE...) get 503 with Retry-After, so that work in progress finishes; 0: never',
    default: '99',
    parse: integerIn(0, 100),
  },
  bearerRequired: {
    env: 'BEARER_REQUIRED',
    meaning:
      'Every client request must carry an access token; false: requests without Bearer credentials use IMS credentials (digest, AKA) as before',
    default: 'false',
    parse: bool,
  },
} satisfies Record<string, EnvVar<unknown>>;

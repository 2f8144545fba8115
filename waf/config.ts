/**
 * WAF configuration: one schema, read from environment variables (README.md's table is checked
 * against it by config.test.ts). Durations are seconds unless the name says hours.
 */
import {
  type ConfigIssue,
  type ConfigOf,
  type EnvVar,
  integerIn,
  oneOf,
  type Parsed,
} from '../app/config.ts';
import { CAPABILITY_RULE } from '../wwsf/index.ts';
import { SIGNING_ALGS } from './keys/key-ring.ts';

function text(raw: string): Parsed<string> {
  return { ok: true, value: raw };
}

function optionalText(raw: string): Parsed<string | undefined> {
  return { ok: true, value: raw === '' ? undefined : raw };
}

function bool(raw: string): Parsed<boolean> {
  if (raw === 'true' || raw === '1') return { ok: true, value: true };
  if (raw === 'false' || raw === '0') return { ok: true, value: false };
  return { ok: false, expected: 'true or false' };
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

/** An absolute http(s) URL without query or fragment (an issuer identifier, RFC 8414 §2). */
function optionalIssuer(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const url = URL.parse(raw);
  const bad = { ok: false as const, expected: 'an http(s) URL without query or fragment' };
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) return bad;
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) return bad;
  return { ok: true, value: raw.endsWith('/') ? raw.slice(0, -1) : raw };
}

function urlList(raw: string): Parsed<readonly string[]> {
  const items = list(raw);
  if (!items.ok) return items;
  return items.value.every((u) => URL.canParse(u))
    ? items
    : { ok: false, expected: 'a comma-separated list of absolute URLs' };
}

function optionalRedisUrl(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const url = URL.parse(raw);
  return url !== null && (url.protocol === 'redis:' || url.protocol === 'rediss:')
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a redis:// or rediss:// URL' };
}

function capabilityRules(raw: string): Parsed<readonly string[]> {
  const items = list(raw);
  if (!items.ok) return items;
  return items.value.every((rule) => CAPABILITY_RULE.test(rule))
    ? items
    : { ok: false, expected: 'comma-separated capability rules such as +video,-call' };
}

function optionalDomain(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'a lower-case domain name' };
}

export const WAF_SCHEMA = {
  issuer: {
    env: 'WAF_ISSUER',
    meaning:
      'Issuer identifier of the WAF (its endpoints are under it); empty: the first public origin of the HTTP server + /oauth',
    default: '',
    parse: optionalIssuer,
  },
  trustProxy: {
    env: 'WAF_TRUST_PROXY',
    meaning: 'Believe X-Forwarded-Proto/Host/For from a reverse proxy in front of the HTTP server',
    default: 'false',
    parse: bool,
  },
  wicRedirectUris: {
    env: 'WAF_WIC_REDIRECT_URIS',
    meaning:
      'Comma-separated redirect URIs of the `wic` public client; empty: each public origin + `/` and `/callback`',
    default: '',
    parse: urlList,
  },
  clientsFile: {
    env: 'WAF_CLIENTS_FILE',
    meaning: 'JSON file of confidential clients (format in this README); empty: none',
    default: '',
    parse: optionalText,
  },
  resourceClientSecret: {
    env: 'WAF_RESOURCE_CLIENT_SECRET',
    meaning:
      'Secret of the `ep-cscf` resource-server client (introspection, revocation); empty: random at each start',
    default: '',
    secret: true,
    parse: optionalText,
  },
  accessTokenTtl: {
    env: 'WAF_ACCESS_TOKEN_TTL',
    meaning: 'Lifetime of access tokens and ID tokens, seconds (guest tokens never live longer)',
    default: '3600',
    parse: integerIn(30, 86_400),
  },
  refreshTokenTtl: {
    env: 'WAF_REFRESH_TOKEN_TTL',
    meaning: 'Lifetime of refresh tokens (and of the grant and login session), seconds',
    default: '1209600',
    parse: integerIn(60, 31_536_000),
  },
  signingAlg: {
    env: 'WAF_SIGNING_ALG',
    meaning:
      'Algorithm of new signing keys: RS256 (RFC 9068: every resource server supports it; cheapest to verify), ES256 or EdDSA; when the signing key has another algorithm, a new key is made at start (the old one stays published until its tokens expire)',
    default: 'RS256',
    parse: oneOf(SIGNING_ALGS),
  },
  keyRotation: {
    env: 'WAF_KEY_ROTATION',
    meaning:
      'Hours between signing-key rotations (the old public key stays in the JWKS until its tokens expire); 0: never',
    default: '720',
    parse: integerIn(0, 87_600),
  },
  loginMaxFailures: {
    env: 'WAF_LOGIN_MAX_FAILURES',
    meaning:
      'Failed logins allowed per account within WAF_LOGIN_WINDOW; further attempts get 429 with Retry-After',
    default: '5',
    parse: integerIn(1, 1_000_000),
  },
  loginMaxAddressFailures: {
    env: 'WAF_LOGIN_MAX_ADDRESS_FAILURES',
    meaning: 'Failed logins allowed per source address (all accounts) within WAF_LOGIN_WINDOW before 429',
    default: '50',
    parse: integerIn(1, 1_000_000),
  },
  loginWindow: {
    env: 'WAF_LOGIN_WINDOW',
    meaning: 'Sliding window of the failed-login counts, seconds',
    default: '300',
    parse: integerIn(1, 86_400),
  },
  loginAlarmFailures: {
    env: 'WAF_LOGIN_ALARM_FAILURES',
    meaning:
      'Failed logins (all accounts) within WAF_LOGIN_WINDOW above which webrtc_ims_waf_login_alarm is 1',
    default: '50',
    parse: integerIn(1, 100_000_000),
  },
  exclusiveLogin: {
    env: 'WAF_EXCLUSIVE_LOGIN',
    meaning: "A new login revokes the user's other grants (and their tokens) and ends their other sessions",
    default: 'false',
    parse: bool,
  },
  maxTokensPerUser: {
    env: 'WAF_MAX_TOKENS_PER_USER',
    meaning: 'Grants (token families) a user may hold; beyond it the oldest are revoked; 0: no cap',
    default: '0',
    parse: integerIn(0, 100_000),
  },
  upstreamIssuer: {
    env: 'WAF_UPSTREAM_ISSUER',
    meaning: 'Issuer of an upstream OpenID Provider the login page offers (federation); empty: none',
    default: '',
    parse: optionalIssuer,
  },
  upstreamName: {
    env: 'WAF_UPSTREAM_NAME',
    meaning: 'Name of the upstream provider on the login button; empty: its host name',
    default: '',
    parse: text,
  },
  upstreamClientId: {
    env: 'WAF_UPSTREAM_CLIENT_ID',
    meaning: 'Our client id at the upstream provider (required with WAF_UPSTREAM_ISSUER)',
    default: '',
    parse: text,
  },
  upstreamClientSecret: {
    env: 'WAF_UPSTREAM_CLIENT_SECRET',
    meaning:
      'Our client secret at the upstream provider, client_secret_basic (required with WAF_UPSTREAM_ISSUER)',
    default: '',
    secret: true,
    parse: text,
  },
  upstreamCreateUsers: {
    env: 'WAF_UPSTREAM_CREATE_USERS',
    meaning: 'Create a subscriber on the first upstream login of an unknown user (else refuse)',
    default: 'false',
    parse: bool,
  },
  upstreamForcedDomain: {
    env: 'WAF_UPSTREAM_FORCED_DOMAIN',
    meaning:
      "Domain upstream users belong to (user name: preferred_username, else the email's local part); empty: the email's domain",
    default: '',
    parse: optionalDomain,
  },
  upstreamNewUserCaps: {
    env: 'WAF_UPSTREAM_NEW_USER_CAPS',
    meaning:
      'Comma-separated capability rules (`+video`, `-call`) given to subscribers created on upstream login',
    default: '',
    parse: capabilityRules,
  },
  redisUrl: {
    env: 'REDIS_URL',
    meaning:
      'Redis holding the WAF grants, sessions, codes, token records, signing keys and failed-login counts, shared by WAF instances; empty: in memory (never logged)',
    default: '',
    secret: true,
    parse: optionalRedisUrl,
  },
  redisPrefix: {
    env: 'WAF_REDIS_PREFIX',
    meaning: 'Prefix of the WAF keys in Redis',
    default: 'webrtc-ims:waf:',
    parse: text,
  },
} satisfies Record<string, EnvVar<unknown>>;

export type WafConfig = ConfigOf<typeof WAF_SCHEMA>;

/** Checks between variables the schema cannot express; each issue names its variable. */
export function crossCheck(config: WafConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.upstreamIssuer !== undefined) {
    if (config.upstreamClientId === '')
      issues.push({
        key: 'WAF_UPSTREAM_CLIENT_ID',
        message: 'WAF_UPSTREAM_CLIENT_ID is required with WAF_UPSTREAM_ISSUER',
      });
    if (config.upstreamClientSecret === '')
      issues.push({
        key: 'WAF_UPSTREAM_CLIENT_SECRET',
        message: 'WAF_UPSTREAM_CLIENT_SECRET is required with WAF_UPSTREAM_ISSUER',
      });
  }
  return issues;
}

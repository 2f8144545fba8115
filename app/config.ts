/**
 * The entry point's configuration: one schema, read from environment variables. Each entry
 * gives the variable, its meaning, its default (absent = required) and its parser; the Config
 * type is derived from the same entries, and app/README.md's table is checked against them.
 */

import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LAB_SEED_FILE } from '../store/seed.ts';
import { isRoleName, ROLE_NAMES, type RoleName } from './role-name.ts';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly expected: string };

export interface EnvVar<T> {
  readonly env: string;
  readonly meaning: string;
  /** Raw text used when the variable is unset; absent means the variable is required. */
  readonly default?: string;
  /** Never echoed in error messages. */
  readonly secret?: boolean;
  readonly parse: (raw: string) => Parsed<T>;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function integerIn(min: number, max: number): (raw: string) => Parsed<number> {
  return (raw) => {
    const value = Number(raw);
    return /^\d+$/.test(raw) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, expected: `an integer from ${min} to ${max}` };
  };
}

export function oneOf<T extends string>(allowed: readonly T[]): (raw: string) => Parsed<T> {
  return (raw) => {
    const match = allowed.find((candidate) => candidate === raw);
    return match !== undefined
      ? { ok: true, value: match }
      : { ok: false, expected: `one of ${allowed.join(', ')}` };
  };
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A file path, or undefined when empty (e.g. a binary that is then never started). */
export function optionalPath(raw: string): Parsed<string | undefined> {
  return { ok: true, value: raw === '' ? undefined : raw };
}

export function host(raw: string): Parsed<string> {
  return isIP(raw) !== 0 || HOSTNAME.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'an IPv4/IPv6 address or a host name' };
}

function roleList(raw: string): Parsed<readonly RoleName[]> {
  const names = raw.split(',').map((name) => name.trim());
  const roles = names.filter(isRoleName);
  return roles.length === names.length && new Set(roles).size === roles.length
    ? { ok: true, value: roles }
    : { ok: false, expected: `a comma-separated list without repeats of: ${ROLE_NAMES.join(', ')}` };
}

function optionalText(raw: string): Parsed<string | undefined> {
  return { ok: true, value: raw === '' ? undefined : raw };
}

function nonEmptyText(raw: string): Parsed<string> {
  return raw === '' ? { ok: false, expected: 'a non-empty value' } : { ok: true, value: raw };
}

/** `lab` is the seed shipped in store/; empty is none; anything else is a file path. */
function seedFile(raw: string): Parsed<string | undefined> {
  return { ok: true, value: raw === '' ? undefined : raw === 'lab' ? fileURLToPath(LAB_SEED_FILE) : raw };
}

function redisUrl(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const expected = 'a redis:// or rediss:// URL';
  try {
    const url = new URL(raw);
    return url.protocol === 'redis:' || url.protocol === 'rediss:'
      ? { ok: true, value: raw }
      : { ok: false, expected };
  } catch {
    return { ok: false, expected };
  }
}

/** A PostgreSQL URL (libpq form); empty: not set. */
function postgresUrl(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  const expected = 'a postgres:// or postgresql:// URL';
  try {
    const url = new URL(raw);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.host !== ''
      ? { ok: true, value: raw }
      : { ok: false, expected };
  } catch {
    return { ok: false, expected };
  }
}

/** More workers than this is a typo, not a machine. */
export const MAX_WORKERS = 256;

/** EP_CSCF_WORKERS: `auto` (one per CPU) or a count; 1 keeps the eP-CSCF in this process. */
export function workerCount(raw: string): Parsed<number | 'auto'> {
  if (raw === 'auto') return { ok: true, value: 'auto' };
  const count = integerIn(1, MAX_WORKERS)(raw);
  return count.ok ? count : { ok: false, expected: `auto or ${count.expected}` };
}

export const CONFIG_SCHEMA = {
  httpPort: {
    env: 'HTTP_PORT',
    meaning: 'TCP port of the operations HTTP server (/healthz, /metrics); 0 picks a free port',
    default: '8080',
    parse: integerIn(0, 65535),
  },
  httpHost: {
    env: 'HTTP_HOST',
    meaning: 'Address the operations HTTP server binds to',
    default: '0.0.0.0',
    parse: host,
  },
  logLevel: {
    env: 'LOG_LEVEL',
    meaning: `Lowest pino level written to stdout: ${LOG_LEVELS.join(', ')}`,
    default: 'info',
    parse: oneOf(LOG_LEVELS),
  },
  roles: {
    env: 'ROLES',
    meaning: 'Comma-separated roles this process runs; the others report `disabled`',
    default: ROLE_NAMES.join(','),
    parse: roleList,
  },
  tlsCertFile: {
    env: 'TLS_CERT_FILE',
    meaning:
      'PEM certificate chain: when set (with TLS_KEY_FILE) the HTTP port serves HTTPS and the SIP WebSocket is WSS, and the eP-CSCF also listens for SIP over TLS',
    default: '',
    parse: optionalText,
  },
  tlsKeyFile: {
    env: 'TLS_KEY_FILE',
    meaning: 'PEM private key of TLS_CERT_FILE (never logged)',
    default: '',
    secret: true,
    parse: optionalText,
  },
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    meaning: 'Time allowed for a graceful stop after SIGINT/SIGTERM before the process exits with 1',
    default: '10000',
    parse: integerIn(1, 600_000),
  },
  databaseFile: {
    env: 'DATABASE_FILE',
    meaning:
      'SQLite file of the subscriber directory (domains, subscribers, IMS credentials, pool leases); its folder is created; `:memory:` keeps it in memory. Holds IMS secrets: protect it',
    default: 'data/webrtc-ims.sqlite',
    parse: nonEmptyText,
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    meaning:
      'PostgreSQL (postgres:// or postgresql://): when set, the subscriber directory lives there instead of DATABASE_FILE, shared by every instance; its schema is created on start (never logged: may hold a password)',
    default: '',
    secret: true,
    parse: postgresUrl,
  },
  directorySeed: {
    env: 'DIRECTORY_SEED',
    meaning:
      'Seed applied when the directory has no domain yet: `lab` (store/seed.lab.json: ims.lab, alice, bob, admin, guest pool), a JSON file path, or empty for none',
    default: 'lab',
    parse: seedFile,
  },
  epCscfWorkers: {
    env: 'EP_CSCF_WORKERS',
    meaning:
      'eP-CSCF processes carrying SIP: 1 runs it in this process; N > 1 (`auto`: one per CPU) forks N workers that share the SIP WebSocket port SIP_WS_PORT (required then), each with its own Mw port SIP_PORT+i, while this process keeps the other roles',
    default: '1',
    parse: workerCount,
  },
  redisUrl: {
    env: 'REDIS_URL',
    meaning:
      'Redis (redis:// or rediss://): when set, eP-CSCF registrations (and the WAF grants) live there, shared by every instance; empty: in memory (never logged: may hold a password)',
    default: '',
    secret: true,
    parse: redisUrl,
  },
} as const satisfies Record<string, EnvVar<unknown>>;

type ValueOf<V> = V extends EnvVar<infer T> ? T : never;
/** The typed values a schema produces. */
export type ConfigOf<S extends Record<string, EnvVar<unknown>>> = { readonly [K in keyof S]: ValueOf<S[K]> };
export type Config = ConfigOf<typeof CONFIG_SCHEMA>;

export interface ConfigIssue {
  /** The environment variable at fault. */
  readonly key: string;
  readonly message: string;
}

export type ConfigResult<C> =
  | { readonly ok: true; readonly config: C }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

type Environment = Readonly<Record<string, string | undefined>>;

function readVar<T>(spec: EnvVar<T>, env: Environment, issues: ConfigIssue[]): T | undefined {
  const raw = env[spec.env] ?? spec.default;
  if (raw === undefined) {
    issues.push({ key: spec.env, message: `${spec.env} is required (${spec.meaning})` });
    return undefined;
  }
  const parsed = spec.parse(raw);
  if (parsed.ok) return parsed.value;
  const shown = spec.secret ? '<redacted>' : JSON.stringify(raw);
  issues.push({ key: spec.env, message: `${spec.env} must be ${parsed.expected}, got ${shown}` });
  return undefined;
}

/**
 * Reads every variable of a schema; all faults are reported together, each naming its key.
 * Generic so that each role can read its own schema the same way when it runs alone.
 */
export function readEnvironment<S extends Record<string, EnvVar<unknown>>>(
  schema: S,
  env: Environment,
): ConfigResult<ConfigOf<S>> {
  const issues: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(schema)) values[field] = readVar(spec, env, issues);
  // Every field was produced by its own parser above, so the record has the ConfigOf<S> shape.
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: values as ConfigOf<S> };
}

export function loadConfig(env: Environment): ConfigResult<Config> {
  return readEnvironment(CONFIG_SCHEMA, env);
}

export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return `invalid configuration:\n${issues.map((issue) => `  ${issue.message}`).join('\n')}\n`;
}

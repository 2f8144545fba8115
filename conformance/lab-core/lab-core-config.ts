/**
 * Environment of the lab core when it runs alone (`npx tsx conformance/lab-core/main.ts`). Under
 * `npm start` the eP-CSCF role starts it with its own settings instead (see README.md).
 */

import {
  type ConfigOf,
  type EnvVar,
  host,
  integerIn,
  LOG_LEVELS,
  oneOf,
  type Parsed,
} from '../../app/config.ts';

function addressList(raw: string): Parsed<readonly string[]> {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return list.every((a) => host(a).ok)
    ? { ok: true, value: list }
    : { ok: false, expected: 'a comma-separated list of IP addresses' };
}

function text(raw: string): Parsed<string> {
  return { ok: true, value: raw };
}

function domain(raw: string): Parsed<string> {
  return /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(raw)
    ? { ok: true, value: raw.toLowerCase() }
    : { ok: false, expected: 'a domain name' };
}

export const LAB_CORE_SCHEMA = {
  host: {
    env: 'LAB_CORE_HOST',
    meaning: 'Address the lab core binds (UDP and TCP)',
    default: '127.0.0.1',
    parse: host,
  },
  port: {
    env: 'LAB_CORE_PORT',
    meaning: 'UDP and TCP port of the lab core; 0 picks a free one',
    default: '5070',
    parse: integerIn(0, 65535),
  },
  domain: {
    env: 'IMS_DOMAIN',
    meaning: 'Home domain: realm and REGISTER Request-URI host',
    default: 'ims.lab',
    parse: domain,
  },
  subscribers: {
    env: 'LAB_SUBSCRIBERS',
    meaning: 'Subscribers file (JSON, see README.md); empty: subscribers.default.json',
    default: '',
    parse: text,
  },
  trusted: {
    env: 'LAB_CORE_TRUSTED',
    meaning: 'Source addresses trusted for integrity-protected="auth-done" and reg-event subscriptions',
    default: '127.0.0.1',
    parse: addressList,
  },
  minExpires: {
    env: 'LAB_CORE_MIN_EXPIRES',
    meaning: 'Shortest registration accepted in seconds (shorter: 423 with Min-Expires)',
    default: '60',
    parse: integerIn(1, 86_400),
  },
  maxExpires: {
    env: 'LAB_CORE_MAX_EXPIRES',
    meaning: 'Longest registration granted in seconds (longer requests are shortened)',
    default: '3600',
    parse: integerIn(1, 604_800),
  },
  logLevel: {
    env: 'LOG_LEVEL',
    meaning: `Lowest pino level written to stdout: ${LOG_LEVELS.join(', ')}`,
    default: 'info',
    parse: oneOf(LOG_LEVELS),
  },
} as const satisfies Record<string, EnvVar<unknown>>;

export type LabCoreConfig = ConfigOf<typeof LAB_CORE_SCHEMA>;

/**
 * Configuration of the provisioning links: one schema (README.md's table is checked against it).
 * The sip:phone key and IV go together; without PROVISIONING_LINK_SECRET the routes are not
 * mounted (a secret is never defaulted).
 */
import type { ConfigOf, EnvVar, Parsed } from '../../app/config.ts';
import { MIN_SECRET_CHARS } from './link-seal.ts';

function hex16(raw: string): Parsed<Buffer | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  return /^[0-9a-fA-F]{32}$/.test(raw)
    ? { ok: true, value: Buffer.from(raw, 'hex') }
    : { ok: false, expected: '32 hexadecimal digits (16 bytes)' };
}

function linkSecret(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  return raw.length >= MIN_SECRET_CHARS
    ? { ok: true, value: raw }
    : { ok: false, expected: `at least ${MIN_SECRET_CHARS} characters` };
}

function baseUrl(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  try {
    const url = new URL(raw);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '')
      return { ok: true, value: raw.replace(/\/+$/, '') };
  } catch {}
  return { ok: false, expected: 'an http(s) URL without query or fragment' };
}

export const PROVISIONING_SCHEMA = {
  sipPhoneKey: {
    env: 'PROVISIONING_KEY',
    meaning:
      'AES-128 key shared with the sip:phone app, 32 hex digits; with PROVISIONING_IV it enables sipphone links; empty: none (never logged)',
    default: '',
    secret: true,
    parse: hex16,
  },
  sipPhoneIv: {
    env: 'PROVISIONING_IV',
    meaning: 'AES-128-CBC IV shared with the sip:phone app, 32 hex digits; set with PROVISIONING_KEY',
    default: '',
    secret: true,
    parse: hex16,
  },
  linkSecret: {
    env: 'PROVISIONING_LINK_SECRET',
    meaning: `Secret sealing the provisioning links and one-time codes (AES-256-GCM keys derived from it), at least ${MIN_SECRET_CHARS} characters, the same on every WWSF instance; empty: no provisioning links (never logged)`,
    default: '',
    secret: true,
    parse: linkSecret,
  },
  baseUrl: {
    env: 'PROVISIONING_BASE_URL',
    meaning:
      'Public origin (and path prefix) the links point at, e.g. https://wrtc.example.com; empty: the origin of the request that asked for the link',
    default: '',
    parse: baseUrl,
  },
} as const satisfies Record<string, EnvVar<unknown>>;

export type ProvisioningConfig = ConfigOf<typeof PROVISIONING_SCHEMA>;

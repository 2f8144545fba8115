/**
 * The lab core's subscriber data (its HSS stand-in): IMPI, the IMPUs of the implicit
 * registration set, credentials and the authentication schemes offered. Read from a JSON file
 * (format in README.md) and validated into types; every fault names the entry and the field.
 */

import { readFileSync } from 'node:fs';
import { computeOpc } from '../../sip/auth/index.ts';
import { isSipUri, isTelUri, parseUri, type Uri, unescapeUri } from '../../sip/index.ts';

export const AUTH_SCHEMES = ['digest-md5', 'digest-sha256', 'akav1-md5', 'akav2-md5'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

export interface AkaCredentials {
  readonly k: Uint8Array;
  readonly opc: Uint8Array;
  /** the HSS's SQN to start from (the next vector uses sqn + 1) */
  readonly sqn: bigint;
  readonly amf: Uint8Array;
}

export interface Subscriber {
  /** private user identity (the digest username) */
  readonly impi: string;
  /** the implicit registration set, as written in the file; the first is the default IMPU */
  readonly impus: readonly string[];
  /** offered in this order in the 401 */
  readonly auth: readonly AuthScheme[];
  readonly password: string | undefined;
  readonly aka: AkaCredentials | undefined;
}

export type SubscribersResult =
  | { readonly ok: true; readonly subscribers: SubscriberDirectory }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Subscribers by IMPI and by IMPU (compared as identities: see `identityKey`). */
export class SubscriberDirectory {
  readonly all: readonly Subscriber[];
  private readonly impis = new Map<string, Subscriber>();
  private readonly impus = new Map<string, Subscriber>();

  constructor(subscribers: readonly Subscriber[]) {
    this.all = subscribers;
    for (const s of subscribers) {
      this.impis.set(s.impi.toLowerCase(), s);
      for (const u of s.impus) this.impus.set(identityKeyOf(u)!, s);
    }
  }

  byImpi(impi: string): Subscriber | undefined {
    return this.impis.get(impi.toLowerCase());
  }

  /** The subscriber whose implicit registration set holds this URI (text or parsed). */
  byImpu(uri: string | Uri): Subscriber | undefined {
    const key = typeof uri === 'string' ? identityKeyOf(uri) : identityKey(uri);
    return key === undefined ? undefined : this.impus.get(key);
  }
}

/**
 * A public identity as the core compares it: scheme, unescaped user and lower-case host (port
 * kept) for sip/sips, the digits for tel; URI parameters are not part of an identity.
 */
export function identityKey(uri: Uri): string | undefined {
  if (isSipUri(uri)) {
    const user = uri.user === undefined ? '' : `${unescapeUri(uri.user)}@`;
    const port = uri.port === undefined ? '' : `:${uri.port}`;
    return `sip:${user}${uri.host.toLowerCase()}${port}`;
  }
  if (isTelUri(uri)) return `tel:${uri.number.replace(/[-.()]/g, '')}`;
  return undefined;
}

function identityKeyOf(text: string): string | undefined {
  const parsed = parseUri(text);
  return parsed.ok ? identityKey(parsed.uri) : undefined;
}

/** Reads and validates a subscribers file. */
export function loadSubscribersFile(path: string): SubscribersResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`cannot read subscribers file ${path}: ${(e as Error).message}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`subscribers file ${path} is not JSON: ${(e as Error).message}`] };
  }
  return parseSubscribers(json);
}

/** Validates the parsed JSON of a subscribers file: `{ "subscribers": [ ... ] }`. */
export function parseSubscribers(json: unknown): SubscribersResult {
  if (!isRecord(json) || !Array.isArray(json.subscribers))
    return { ok: false, errors: ['the subscribers file must be an object with a "subscribers" array'] };
  const errors: string[] = [];
  const out: Subscriber[] = [];
  const seenImpi = new Map<string, string>();
  const seenImpu = new Map<string, string>();
  json.subscribers.forEach((entry: unknown, i: number) => {
    const where = `subscribers[${i}]${isRecord(entry) && typeof entry.impi === 'string' ? ` (${entry.impi})` : ''}`;
    const before = errors.length;
    const s = subscriber(entry, (field, message) => errors.push(`${where}: ${field} ${message}`));
    if (s === undefined || errors.length > before) return;
    const impiKey = s.impi.toLowerCase();
    if (seenImpi.has(impiKey)) errors.push(`${where}: impi repeats ${seenImpi.get(impiKey)}`);
    seenImpi.set(impiKey, where);
    for (const u of s.impus) {
      const key = identityKeyOf(u)!;
      const other = seenImpu.get(key);
      if (other !== undefined) errors.push(`${where}: impus holds ${u}, already in ${other}`);
      seenImpu.set(key, where);
    }
    out.push(s);
  });
  if (out.length === 0 && errors.length === 0) errors.push('the "subscribers" array is empty');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, subscribers: new SubscriberDirectory(out) };
}

type Report = (field: string, message: string) => void;

function subscriber(entry: unknown, fault: Report): Subscriber | undefined {
  if (!isRecord(entry)) {
    fault('entry', 'must be an object');
    return undefined;
  }
  const known = new Set(['impi', 'impus', 'auth', 'password', 'k', 'opc', 'op', 'sqn', 'amf']);
  for (const key of Object.keys(entry)) if (!known.has(key)) fault(key, 'is not a known field');
  const impi = entry.impi;
  if (typeof impi !== 'string' || !/^[^\s"\\@]+@[^\s"\\@]+$/.test(impi))
    fault('impi', 'must be a string user@realm');
  const impus = entry.impus;
  if (!Array.isArray(impus) || impus.length === 0)
    fault('impus', 'must be a non-empty array of sip: or tel: URIs');
  else
    impus.forEach((u: unknown, j: number) => {
      if (typeof u !== 'string' || identityKeyOf(u) === undefined)
        fault(`impus[${j}]`, 'is not a sip:, sips: or tel: URI');
    });
  const auth = entry.auth;
  const schemes: AuthScheme[] = [];
  if (!Array.isArray(auth) || auth.length === 0)
    fault('auth', `must be a non-empty array of ${AUTH_SCHEMES.join(', ')}`);
  else
    auth.forEach((a: unknown, j: number) => {
      const scheme = AUTH_SCHEMES.find((s) => s === a);
      if (scheme === undefined) fault(`auth[${j}]`, `must be one of ${AUTH_SCHEMES.join(', ')}`);
      else schemes.push(scheme);
    });
  const password = entry.password;
  if (password !== undefined && typeof password !== 'string') fault('password', 'must be a string');
  if (schemes.some((s) => s.startsWith('digest')) && typeof password !== 'string')
    fault('password', 'is required by the digest schemes');
  let aka: AkaCredentials | undefined;
  if (schemes.some((s) => s.startsWith('aka')) || entry.k !== undefined) aka = akaCredentials(entry, fault);
  if (typeof impi !== 'string' || !Array.isArray(impus)) return undefined;
  return {
    impi,
    impus: impus.filter((u): u is string => typeof u === 'string'),
    auth: schemes,
    password: typeof password === 'string' ? password : undefined,
    aka,
  };
}

function akaCredentials(entry: Record<string, unknown>, fault: Report): AkaCredentials | undefined {
  const k = hexField(entry, 'k', 16, fault);
  if (entry.opc !== undefined && entry.op !== undefined) fault('opc', 'and op are exclusive: give one');
  let opc: Uint8Array | undefined;
  if (entry.op !== undefined) {
    const op = hexField(entry, 'op', 16, fault);
    if (op !== undefined && k !== undefined) opc = computeOpc(k, op);
  } else opc = hexField(entry, 'opc', 16, fault);
  const amf = hexField(entry, 'amf', 2, fault);
  const sqn = entry.sqn;
  if (typeof sqn !== 'number' || !Number.isSafeInteger(sqn) || sqn < 0)
    fault('sqn', 'is required by AKA: a non-negative integer (the HSS sequence number)');
  if (k === undefined || opc === undefined || amf === undefined || typeof sqn !== 'number') return undefined;
  return { k, opc, amf, sqn: BigInt(sqn) };
}

function hexField(
  entry: Record<string, unknown>,
  name: string,
  octets: number,
  fault: Report,
): Uint8Array | undefined {
  const v = entry[name];
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${octets * 2}}$`).test(v)) {
    fault(name, `is required by AKA: ${octets * 2} hex digits`);
    return undefined;
  }
  return Buffer.from(v, 'hex');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The seed file's shape, parsed at the edge: `parseSeed(json)` turns untrusted JSON into a
 * typed Seed or throws a SeedError naming the exact path of the first bad field
 * (`subscribers[1].ims[0].secret.password`). Secrets are never echoed.
 */

import type { ImsSecret, SubscriberRole } from './directory.ts';

export interface SeedDomain {
  readonly name: string;
  readonly parent: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly anonymous: {
    readonly enabled: boolean;
    readonly tokenTtl: number;
    readonly capabilities: readonly string[];
  };
  readonly services: readonly string[];
}

export interface SeedImsCredential {
  readonly id: string | undefined;
  readonly impu: string;
  readonly impi: string;
  readonly secret: ImsSecret;
  readonly wssServer: string | undefined;
}

export interface SeedSubscriber {
  readonly id: string | undefined;
  readonly username: string;
  readonly domain: string;
  readonly role: SubscriberRole;
  /** plain text in the seed file; hashed before it is stored */
  readonly password: string | undefined;
  readonly capabilities: readonly string[];
  readonly disabled: boolean;
  readonly ims: readonly SeedImsCredential[];
}

export interface Seed {
  readonly domains: readonly SeedDomain[];
  readonly subscribers: readonly SeedSubscriber[];
  /** IMS credentials of no subscriber: the anonymous pool of their domain */
  readonly pool: readonly (SeedImsCredential & { readonly domain: string })[];
}

export class SeedError extends Error {
  /** where in the seed file, e.g. `subscribers[0].password` */
  readonly path: string;
  /** what is wrong there */
  readonly detail: string;

  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'SeedError';
    this.path = path;
    this.detail = detail;
  }
}

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SeedError(path, 'must be an object');
  return value as Json;
}

function known(o: Json, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(o))
    if (!keys.includes(key))
      throw new SeedError(`${path}${path === '' ? '' : '.'}${key}`, 'is not a known field');
}

function text(o: Json, key: string, path: string, secret = false): string {
  const value = o[key];
  if (typeof value !== 'string' || value === '')
    throw new SeedError(
      `${path}.${key}`,
      secret
        ? 'must be a non-empty string'
        : `must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  return value;
}

function optionalText(o: Json, key: string, path: string, secret = false): string | undefined {
  return o[key] === undefined ? undefined : text(o, key, path, secret);
}

/** A key of the directory: lower case, so the seed says exactly what will be stored. */
function name(o: Json, key: string, path: string): string {
  const value = text(o, key, path);
  if (value !== value.toLowerCase())
    throw new SeedError(`${path}.${key}`, `must be lower case, got ${JSON.stringify(value)}`);
  return value;
}

function list(o: Json, key: string, path: string): unknown[] {
  const value = o[key] ?? [];
  if (!Array.isArray(value))
    throw new SeedError(`${path}${path === '' ? '' : '.'}${key}`, 'must be an array');
  return value;
}

function strings(o: Json, key: string, path: string): string[] {
  return list(o, key, path).map((item, i) => {
    if (typeof item !== 'string' || item === '')
      throw new SeedError(`${path}.${key}[${i}]`, 'must be a non-empty string');
    return item;
  });
}

function bool(o: Json, key: string, path: string, fallback: boolean): boolean {
  const value = o[key] ?? fallback;
  if (typeof value !== 'boolean') throw new SeedError(`${path}.${key}`, 'must be true or false');
  return value;
}

function hex(o: Json, key: string, path: string, digits: number): string {
  const value = o[key];
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value))
    throw new SeedError(`${path}.${key}`, `must be ${digits} hexadecimal digits`);
  return value;
}

function secret(value: unknown, path: string): ImsSecret {
  const o = object(value, path);
  if (o['kind'] === 'digest') {
    known(o, path, ['kind', 'password']);
    return { kind: 'digest', password: text(o, 'password', path, true) };
  }
  if (o['kind'] === 'aka') {
    known(o, path, ['kind', 'k', 'opc', 'amf']);
    const k = hex(o, 'k', path, 32);
    const opc = hex(o, 'opc', path, 32);
    return o['amf'] === undefined
      ? { kind: 'aka', k, opc }
      : { kind: 'aka', k, opc, amf: hex(o, 'amf', path, 4) };
  }
  throw new SeedError(`${path}.kind`, 'must be "digest" or "aka"');
}

function imsCredential(value: unknown, path: string, extra: readonly string[] = []): SeedImsCredential {
  const o = object(value, path);
  known(o, path, ['id', 'impu', 'impi', 'secret', 'wssServer', ...extra]);
  return {
    id: optionalText(o, 'id', path),
    impu: text(o, 'impu', path),
    impi: text(o, 'impi', path),
    secret: secret(o['secret'], `${path}.secret`),
    wssServer: optionalText(o, 'wssServer', path),
  };
}

function domain(value: unknown, path: string): SeedDomain {
  const o = object(value, path);
  known(o, path, ['name', 'parent', 'allowedOrigins', 'anonymous', 'services']);
  const anonPath = `${path}.anonymous`;
  const anon = object(o['anonymous'] ?? { enabled: false }, anonPath);
  known(anon, anonPath, ['enabled', 'tokenTtl', 'capabilities']);
  const ttl = anon['tokenTtl'] ?? 600;
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl <= 0)
    throw new SeedError(`${anonPath}.tokenTtl`, 'must be a positive integer (seconds)');
  return {
    name: name(o, 'name', path),
    parent: o['parent'] === undefined ? undefined : name(o, 'parent', path),
    allowedOrigins: strings(o, 'allowedOrigins', path),
    anonymous: {
      enabled: bool(anon, 'enabled', anonPath, false),
      tokenTtl: ttl,
      capabilities: strings(anon, 'capabilities', anonPath),
    },
    services: strings(o, 'services', path),
  };
}

function subscriber(value: unknown, path: string): SeedSubscriber {
  const o = object(value, path);
  known(o, path, ['id', 'username', 'domain', 'role', 'password', 'capabilities', 'disabled', 'ims']);
  const role = o['role'] ?? 'user';
  if (role !== 'admin' && role !== 'user' && role !== 'anonymous')
    throw new SeedError(`${path}.role`, 'must be "admin", "user" or "anonymous"');
  return {
    id: optionalText(o, 'id', path),
    username: name(o, 'username', path),
    domain: name(o, 'domain', path),
    role,
    password: optionalText(o, 'password', path, true),
    capabilities: strings(o, 'capabilities', path),
    disabled: bool(o, 'disabled', path, false),
    ims: list(o, 'ims', path).map((c, i) => imsCredential(c, `${path}.ims[${i}]`)),
  };
}

/** Validates a parsed seed file; throws SeedError naming the path of the first bad field. */
export function parseSeed(json: unknown): Seed {
  const root = object(json, '(seed)');
  known(root, '', ['$comment', 'domains', 'subscribers', 'pool']);
  return {
    domains: list(root, 'domains', '').map((d, i) => domain(d, `domains[${i}]`)),
    subscribers: list(root, 'subscribers', '').map((s, i) => subscriber(s, `subscribers[${i}]`)),
    pool: list(root, 'pool', '').map((c, i) => {
      const path = `pool[${i}]`;
      return { ...imsCredential(c, path, ['domain']), domain: name(object(c, path), 'domain', path) };
    }),
  };
}

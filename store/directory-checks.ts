/**
 * The model rules every directory backend enforces before writing, shared so that each backend
 * refuses the same objects with the same DirectoryInvalid (field and reason).
 */

import type { Domain, ImsCredential, SipMapping, Subscriber } from './directory.ts';
import { DirectoryInvalid } from './directory-errors.ts';

function key(field: string, value: string): void {
  if (value === '') throw new DirectoryInvalid(field, value, 'must not be empty');
  if (value !== value.toLowerCase()) throw new DirectoryInvalid(field, value, 'must be lower case');
}

function nonEmpty(field: string, value: string): void {
  if (value === '') throw new DirectoryInvalid(field, value, 'must not be empty');
}

function strings(field: string, values: readonly string[]): void {
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v !== ''))
    throw new DirectoryInvalid(field, '', 'must be a list of non-empty strings');
}

/** A time in ms since the epoch. */
export function checkTime(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new DirectoryInvalid(field, String(value), 'must be a non-negative integer (ms since the epoch)');
}

export function checkDomain(d: Domain): void {
  key('name', d.name);
  if (d.parent !== undefined) key('parent', d.parent);
  strings('allowedOrigins', d.allowedOrigins);
  strings('services', d.services);
  strings('anonymous.capabilities', d.anonymous.capabilities);
  if (!Number.isSafeInteger(d.anonymous.tokenTtl) || d.anonymous.tokenTtl <= 0)
    throw new DirectoryInvalid(
      'anonymous.tokenTtl',
      String(d.anonymous.tokenTtl),
      'must be a positive integer',
    );
}

export function checkSubscriber(s: Subscriber): void {
  nonEmpty('id', s.id);
  key('username', s.username);
  key('domain', s.domain);
  if (s.role !== 'admin' && s.role !== 'user' && s.role !== 'anonymous')
    throw new DirectoryInvalid('role', String(s.role), 'must be admin, user or anonymous');
  strings('capabilities', s.capabilities);
  if (s.passwordHash !== undefined && !s.passwordHash.startsWith('$'))
    throw new DirectoryInvalid('passwordHash', '<redacted>', 'must be a PHC string, never a password');
}

export function checkCredential(c: ImsCredential): void {
  nonEmpty('id', c.id);
  key('domain', c.domain);
  if (c.subscriberId !== undefined) nonEmpty('subscriberId', c.subscriberId);
  nonEmpty('impu', c.impu);
  nonEmpty('impi', c.impi);
  if (c.secret.kind === 'digest') {
    if (typeof c.secret.password !== 'string' || c.secret.password === '')
      throw new DirectoryInvalid('secret.password', '<redacted>', 'must not be empty');
  } else if (c.secret.kind === 'aka') {
    for (const [field, value, length] of [
      ['secret.k', c.secret.k, 32],
      ['secret.opc', c.secret.opc, 32],
      ...(c.secret.amf === undefined ? [] : [['secret.amf', c.secret.amf, 4] as const]),
    ] as const) {
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value))
        throw new DirectoryInvalid(field, '<redacted>', `must be ${length} hexadecimal digits`);
    }
  } else {
    throw new DirectoryInvalid('secret.kind', '', 'must be digest or aka');
  }
}

export function checkSipMapping(m: SipMapping): void {
  nonEmpty('id', m.id);
  key('domain', m.domain);
  nonEmpty('subscriberId', m.subscriberId);
  nonEmpty('impu', m.impu);
  nonEmpty('impi', m.impi);
}

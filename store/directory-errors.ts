/**
 * The errors a SubscriberDirectory reports for writes it refuses. Each names the field at fault
 * so the SAPI can answer a precise 409/404/422 problem document; none carries a secret.
 * Whatever the error, the write did not happen and what was stored before is unchanged.
 */

import type { DomainContents } from './directory.ts';

/** Common base: `field` is the property of the written object the refusal is about. */
export abstract class DirectoryError extends Error {
  abstract readonly code: 'conflict' | 'missing' | 'invalid';
  readonly field: string;
  /** the offending value (names and identities only, never secrets) */
  readonly value: string;

  constructor(message: string, field: string, value: string) {
    super(message);
    this.name = new.target.name;
    this.field = field;
    this.value = value;
  }
}

/**
 * The value is already taken (a unique key: username within a domain, IMPU, IMPI), would loop,
 * or is still in use (a domain with children or contents).
 */
export class DirectoryConflict extends DirectoryError {
  readonly code = 'conflict';

  constructor(field: string, value: string, detail?: string) {
    super(detail ?? `${field} ${JSON.stringify(value)} is already in use`, field, value);
  }
}

/** A referenced entity does not exist (the parent domain, the domain, the subscriber). */
export class DirectoryMissing extends DirectoryError {
  readonly code = 'missing';

  constructor(field: string, value: string, detail?: string) {
    super(detail ?? `${field} ${JSON.stringify(value)} does not exist`, field, value);
  }
}

/** The value breaks a rule of the model (empty name, upper-case key, unknown role, bad number). */
export class DirectoryInvalid extends DirectoryError {
  readonly code = 'invalid';

  constructor(field: string, value: string, detail: string) {
    super(`${field}: ${detail}`, field, value);
  }
}

/**
 * A domain delete refused because the domain is not empty: it has child domains (never deleted
 * with it), or holds subscribers, credentials or SIP mappings and the delete did not cascade.
 */
export class DomainInUse extends DirectoryConflict {
  /** the child domains, sorted; empty when only the contents stand in the way */
  readonly children: readonly string[];
  readonly contents: DomainContents;

  constructor(name: string, children: readonly string[], contents: DomainContents) {
    super(
      'name',
      name,
      children.length > 0
        ? `domain ${name} has child domains: ${children.join(', ')}`
        : `domain ${name} holds ${contents.subscribers} subscribers, ${contents.imsCredentials} IMS credentials, ${contents.sipMappings} SIP mappings and ${contents.activeLeases} active pool leases`,
    );
    this.children = children;
    this.contents = contents;
  }
}

/** True when nothing is in the domain. */
export function isEmpty(contents: DomainContents): boolean {
  return contents.subscribers + contents.imsCredentials + contents.sipMappings === 0;
}

/**
 * The errors a SubscriberDirectory reports for writes it refuses. Each names the field at fault
 * so the SAPI can answer a precise 409/404/422 problem document; none carries a secret.
 * Whatever the error, the write did not happen and what was stored before is unchanged.
 */

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

/** The value is already taken (a unique key: username within a domain, IMPU, IMPI) or would loop. */
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

/**
 * The registration event package body, `application/reginfo+xml` (RFC 3680 §5.3, §5.4), as
 * typed values. One document describes the registration state of one or more address-of-record
 * (in IMS: every IMPU of an implicit registration set, TS 24.229 §5.4.2.1.2).
 */

export const REGINFO_NAMESPACE = 'urn:ietf:params:xml:ns:reginfo';
export const REGINFO_CONTENT_TYPE = 'application/reginfo+xml';

/** RFC 3680 §5.3: `init` (no contacts yet), `active`, `terminated` (no contacts any more). */
export type RegistrationState = 'init' | 'active' | 'terminated';
export const REGISTRATION_STATES: readonly RegistrationState[] = ['init', 'active', 'terminated'];

export type ContactState = 'active' | 'terminated';
export const CONTACT_STATES: readonly ContactState[] = ['active', 'terminated'];

/**
 * RFC 3680 §5.3: why a contact changed. To active: registered, created, refreshed, shortened;
 * to terminated: expired, deactivated (re-register), probation (re-register later), unregistered,
 * rejected (do not re-register).
 */
export type ContactEvent =
  | 'registered'
  | 'created'
  | 'refreshed'
  | 'shortened'
  | 'expired'
  | 'deactivated'
  | 'probation'
  | 'unregistered'
  | 'rejected';
export const CONTACT_EVENTS: readonly ContactEvent[] = [
  'registered',
  'created',
  'refreshed',
  'shortened',
  'expired',
  'deactivated',
  'probation',
  'unregistered',
  'rejected',
];

/** `<unknown-param name="...">value</unknown-param>`: Contact parameters such as +sip.instance. */
export interface UnknownParam {
  readonly name: string;
  /** the parameter value as it appeared in the Contact (quotes kept); '' for a flag */
  readonly value: string;
}

export interface RegContact {
  /** stable across notifications of one subscription (RFC 3680 §5.3) */
  readonly id: string;
  readonly state: ContactState;
  readonly event: ContactEvent;
  readonly uri: string;
  readonly displayName?: string | undefined;
  /** seconds since the contact was first registered */
  readonly durationRegistered?: number | undefined;
  /** seconds left */
  readonly expires?: number | undefined;
  /** with event=probation: seconds before re-registering */
  readonly retryAfter?: number | undefined;
  /** the q value as written (e.g. "0.8") */
  readonly q?: string | undefined;
  readonly callId?: string | undefined;
  readonly cseq?: number | undefined;
  readonly unknownParams: readonly UnknownParam[];
}

export interface Registration {
  /** the address-of-record (IMPU) */
  readonly aor: string;
  readonly id: string;
  readonly state: RegistrationState;
  readonly contacts: readonly RegContact[];
}

export interface RegInfo {
  /** 0 in the first NOTIFY of a subscription, then +1 per NOTIFY (RFC 3680 §5.4) */
  readonly version: number;
  readonly state: 'full' | 'partial';
  readonly registrations: readonly Registration[];
}

/**
 * Registration state the eP-CSCF keeps per registered contact (TS 24.229 §5.2.2: the
 * Service-Route and the associated identities learnt from the 2xx; RFC 5626: the flow).
 * Behind one interface so that several eP-CSCF instances can share it (Redis) while the
 * default stays in memory.
 */
export interface ContactBinding {
  /** the registered public user identity (IMPU): the To URI of the REGISTER */
  readonly aor: string;
  /** the Contact URI as registered */
  readonly contact: string;
  /** +sip.instance and reg-id (RFC 5626 §4.2), when the client sent them */
  readonly instanceId: string | undefined;
  readonly regId: number | undefined;
  /** the connection (flow) the registration arrived on */
  readonly connectionId: string;
  /** wall-clock time (ms since the epoch) the binding expires */
  readonly expiresAt: number;
  /** Service-Route values of the 2xx, in order (RFC 3608) */
  readonly serviceRoute: readonly string[];
  /** P-Associated-URI values of the 2xx, the default identity first (RFC 7315 §4.1) */
  readonly associatedUris: readonly string[];
  /** the private identity from the Authorization username, when known */
  readonly impi: string | undefined;
  readonly callId: string;
}

export interface RegistrationStore {
  /** Adds or replaces the binding of (aor, contact). */
  put(binding: ContactBinding): Promise<void>;
  /** Removes the binding of (aor, contact); true when there was one. */
  remove(aor: string, contact: string): Promise<boolean>;
  /** The bindings of an AOR. */
  forAor(aor: string): Promise<ContactBinding[]>;
  /** The bindings registered over a connection. */
  forConnection(connectionId: string): Promise<ContactBinding[]>;
  /** Removes and returns every binding whose expiry is at or before `now`. */
  expire(now: number): Promise<ContactBinding[]>;
  /** Number of bindings. */
  size(): Promise<number>;
}

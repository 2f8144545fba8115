/**
 * The subscriber directory: who may use the product and with which IMS identities.
 *
 * - A domain is a tenant (e.g. `example.com`), optionally under a parent domain; it lists the
 *   origins its web pages are served from, its anonymous (guest) policy and its services.
 * - A subscriber is a user of a domain with web credentials (a password hash) and capability
 *   rules; the WAF logs subscribers in, the SAPI provisions them.
 * - An IMS credential is an IMPU/IMPI pair with its secret (digest password, or K/OPc for AKA).
 *   One bound to a subscriber is that subscriber's identity (TS 33.203 Annex X.3, web
 *   credentials mapped to an IMS identity); one bound to no subscriber belongs to the domain's
 *   pool (Annex X.4): it is leased for the life of one registration and then released.
 *
 * One interface, several backends (SQLite file by default, PostgreSQL when DATABASE_URL is set),
 * all held to the same contract tests. Every method is atomic: two callers never lease the same
 * pool identity, and a failed write leaves what was stored before.
 */

export type SubscriberRole = 'admin' | 'user' | 'anonymous';

export interface AnonymousPolicy {
  /** guests (click-to-call) may get tokens for this domain */
  readonly enabled: boolean;
  /** lifetime of a guest access token, seconds */
  readonly tokenTtl: number;
  /** capability rules applied to guests (`+call`, `-video`, or plain names) */
  readonly capabilities: readonly string[];
}

export interface Domain {
  /** the domain name, lower case; the tenant key */
  readonly name: string;
  readonly parent: string | undefined;
  /** origins (scheme://host[:port]) the domain's web pages run on */
  readonly allowedOrigins: readonly string[];
  readonly anonymous: AnonymousPolicy;
  /** services enabled for the domain (e.g. `call`, `message`, `video`) */
  readonly services: readonly string[];
}

export interface Subscriber {
  /** stable id (opaque; the token `sub`) */
  readonly id: string;
  /** login name, unique within its domain, lower case */
  readonly username: string;
  readonly domain: string;
  readonly role: SubscriberRole;
  /** capability rules: `+name` forced, `-name` pruned (see the SAPI for how they combine) */
  readonly capabilities: readonly string[];
  /** the password hash in PHC string form (`$scrypt$...`), or undefined (no password login) */
  readonly passwordHash: string | undefined;
  readonly disabled: boolean;
}

export type ImsSecret =
  | { readonly kind: 'digest'; readonly password: string }
  | { readonly kind: 'aka'; readonly k: string; readonly opc: string; readonly amf?: string };

export interface ImsCredential {
  readonly id: string;
  readonly domain: string;
  /** the subscriber it belongs to; undefined: part of the domain's anonymous pool */
  readonly subscriberId: string | undefined;
  /** public user identity, e.g. sip:alice@ims.example.com */
  readonly impu: string;
  /** private user identity, e.g. alice@ims.example.com */
  readonly impi: string;
  readonly secret: ImsSecret;
  /** a WSS URL of the eP-CSCF this identity should register through, when not the default */
  readonly wssServer: string | undefined;
}

/** A pool identity held by one registration until `expiresAt` (ms since the epoch). */
export interface PoolLease {
  readonly credential: ImsCredential;
  /** who holds it (e.g. the eP-CSCF flow and token id); only the holder may renew or release */
  readonly holder: string;
  readonly expiresAt: number;
}

export interface SubscriberDirectory {
  getDomain(name: string): Promise<Domain | undefined>;
  listDomains(): Promise<Domain[]>;
  /** Creates or replaces a domain; its parent must exist. */
  putDomain(domain: Domain): Promise<void>;

  getSubscriber(id: string): Promise<Subscriber | undefined>;
  findSubscriber(username: string, domain: string): Promise<Subscriber | undefined>;
  listSubscribers(domain: string): Promise<Subscriber[]>;
  /** Creates or replaces a subscriber; its domain must exist and (username, domain) stay unique. */
  putSubscriber(subscriber: Subscriber): Promise<void>;
  /** Removes a subscriber and its IMS credentials; true when there was one. */
  deleteSubscriber(id: string): Promise<boolean>;

  getImsCredential(id: string): Promise<ImsCredential | undefined>;
  /** The IMS credentials bound to a subscriber. */
  imsCredentialsOf(subscriberId: string): Promise<ImsCredential[]>;
  /** The pool of a domain (credentials without a subscriber). */
  poolOf(domain: string): Promise<ImsCredential[]>;
  /** Creates or replaces an IMS credential; (impu) and (impi) stay unique. */
  putImsCredential(credential: ImsCredential): Promise<void>;
  deleteImsCredential(id: string): Promise<boolean>;

  /**
   * Leases a free identity of the domain's pool to `holder` until `expiresAt`; a lease past its
   * expiry counts as free. Undefined when every identity is held (or the pool is empty).
   */
  leasePoolIdentity(
    domain: string,
    holder: string,
    expiresAt: number,
    now: number,
  ): Promise<PoolLease | undefined>;
  /** Extends a lease still held by `holder`; false when it is not (expired and re-leased, or released). */
  renewLease(credentialId: string, holder: string, expiresAt: number): Promise<boolean>;
  /** Ends a lease held by `holder`; false when it was not held by it. */
  releaseLease(credentialId: string, holder: string): Promise<boolean>;
  /** The leases in force at `now`. */
  activeLeases(domain: string, now: number): Promise<PoolLease[]>;

  close(): Promise<void>;
}

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
 * - A SIP mapping binds a subscriber to a SIP identity without a secret (Annex X.3 with a core
 *   that trusts the eP-CSCF): see SipMapping.
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

/**
 * A SIP identity bound to a subscriber without a secret: for operators whose IMS core trusts the
 * eP-CSCF (scenario 2, Trusted Node Authentication, TS 33.203 Annex X.3) and who keep no IMS
 * secret in the WWSF. The WAF puts this identity in the subscriber's tokens; the core learns it
 * from the eP-CSCF's `integrity-protected="auth-done"`. Its IMPU is unique across SIP mappings
 * and IMS credentials; its IMPI is used by no IMS credential and by one subscriber's mappings only
 * (one IMPI may carry several IMPUs, like an implicit registration set).
 */
export interface SipMapping {
  readonly id: string;
  /** the subscriber's domain */
  readonly domain: string;
  readonly subscriberId: string;
  /** public user identity, e.g. sip:alice@ims.example.com or tel:+15551234 */
  readonly impu: string;
  /** private user identity the core knows it by, e.g. alice@ims.example.com */
  readonly impi: string;
}

/** What a domain holds: counted when a delete without cascade is refused. */
export interface DomainContents {
  readonly subscribers: number;
  /** the subscribers' IMS credentials and the pool's */
  readonly imsCredentials: number;
  readonly sipMappings: number;
  /** pool leases in force (by the directory's clock) */
  readonly activeLeases: number;
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
  /**
   * Deletes a domain; false when there is none. A domain with child domains is refused
   * (`DomainInUse` naming them); so is one holding subscribers, credentials or SIP mappings
   * (`DomainInUse` counting them) unless `cascade`, which deletes them with it (and the pool's
   * leases), all in one transaction.
   */
  deleteDomain(name: string, options?: { readonly cascade?: boolean }): Promise<boolean>;

  getSubscriber(id: string): Promise<Subscriber | undefined>;
  findSubscriber(username: string, domain: string): Promise<Subscriber | undefined>;
  listSubscribers(domain: string): Promise<Subscriber[]>;
  /** Creates or replaces a subscriber; its domain must exist and (username, domain) stay unique. */
  putSubscriber(subscriber: Subscriber): Promise<void>;
  /** Removes a subscriber with its IMS credentials and SIP mappings; true when there was one. */
  deleteSubscriber(id: string): Promise<boolean>;

  getImsCredential(id: string): Promise<ImsCredential | undefined>;
  /** The IMS credentials bound to a subscriber. */
  imsCredentialsOf(subscriberId: string): Promise<ImsCredential[]>;
  /** The pool of a domain (credentials without a subscriber). */
  poolOf(domain: string): Promise<ImsCredential[]>;
  /** Creates or replaces an IMS credential; its IMPU and IMPI are used by no other credential or mapping. */
  putImsCredential(credential: ImsCredential): Promise<void>;
  deleteImsCredential(id: string): Promise<boolean>;

  getSipMapping(id: string): Promise<SipMapping | undefined>;
  /** The SIP mappings of a subscriber, by id. */
  sipMappingsOf(subscriberId: string): Promise<SipMapping[]>;
  /** The SIP mappings of a domain's subscribers, by id. */
  sipMappingsIn(domain: string): Promise<SipMapping[]>;
  /** The SIP mapping of an IMPU (the reverse lookup: SIP identity → subscriber). */
  findSipMapping(impu: string): Promise<SipMapping | undefined>;
  /** Creates or replaces a SIP mapping (rules on its IMPU and IMPI: see SipMapping). */
  putSipMapping(mapping: SipMapping): Promise<void>;
  deleteSipMapping(id: string): Promise<boolean>;

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

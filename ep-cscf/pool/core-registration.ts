import { randomBytes } from 'node:crypto';
import {
  type ClientSecret,
  challengeHeaderFor,
  credentialsHeaderFor,
  DigestClient,
  formatInitialImsAuthorization,
  Usim,
} from '../../sip/auth/index.ts';
import type { NameAddr, SipRequest, SipResponse } from '../../sip/index.ts';
import type { TransactionLayer } from '../../sip/transaction/index.ts';
import type { Destination } from '../../sip/transport/index.ts';
import { sendRequest } from '../../sip/ua/index.ts';
import type { ImsCredential } from '../../store/directory.ts';
import { buildPoolRegister } from './pool-request.ts';

/** What a CoreRegistration needs of the eP-CSCF: its transaction layer, next hop and Mw facts. */
export interface CoreRegistrationEnv {
  readonly layer: TransactionLayer;
  readonly core: Destination;
  /** our Via value without branch */
  readonly via: string;
  readonly visitedNetworkId: string;
  /** where P-Charging-Vector icids are generated (our Mw host) */
  readonly icidGeneratedAt: string;
}

export interface CoreRegistrationOptions {
  readonly credential: ImsCredential;
  /** the home network's domain: Request-URI host and the realm of the initial Authorization */
  readonly homeDomain: string;
  /** our Path URI carrying the client's flow token */
  readonly pathUri: string;
  readonly outbound: boolean;
}

type Credentials = { header: 'Authorization' | 'Proxy-Authorization'; value: string };

/** Challenges answered within one REGISTER exchange: a resynchronisation takes two. */
const MAX_ROUNDS = 3;

/**
 * The eP-CSCF as the UA of one leased pool identity toward the core (TS 33.203 Annex X.4;
 * RFC 3261 §10.2 for the registration, §22.2 and TS 24.229 §5.1.1.2/§5.1.1.5 for the
 * authentication): one Call-ID and From tag for the life of the lease, CSeq growing by one per
 * REGISTER (§10.2.4), the initial IMS Authorization (username = IMPI, empty response) until the
 * core has challenged, then the answer computed with the pool credential — SIP digest (MD5,
 * SHA-256, …) from its password, or Digest AKA from its K/OPc through a USIM simulator.
 */
export class CoreRegistration {
  readonly callId: string;
  private readonly fromTag = randomBytes(6).toString('hex');
  private cseq = 0;
  private readonly digest: DigestClient;
  /** the realm our last answer was for, so refreshes can re-use its nonce (RFC 7616 §3.4) */
  private realm: string | undefined;
  /** Request-URI of its REGISTERs: sip:<home domain> */
  readonly registrar: string;

  constructor(
    private readonly env: CoreRegistrationEnv,
    readonly o: CoreRegistrationOptions,
  ) {
    this.callId = `${randomBytes(12).toString('hex')}@${env.icidGeneratedAt}`;
    this.registrar = `sip:${o.homeDomain}`;
    this.digest = new DigestClient({ username: o.credential.impi, secret: secretOf(o.credential) });
  }

  /** CSeq number of the last REGISTER sent */
  get lastCseq(): number {
    return this.cseq;
  }

  get impu(): string {
    return this.o.credential.impu;
  }

  /**
   * Sends REGISTER for `contacts` with `expires` (and `removed` with expires=0) and answers the core's
   * challenges; resolves with the final response (408/503 for a timeout or transport failure,
   * as sendRequest reports them). A challenge that comes back after a fresh answer — a
   * credential the core does not accept — ends the exchange with that challenge.
   */
  async register(
    contacts: readonly NameAddr[],
    expires: number,
    removed: readonly NameAddr[] = [],
  ): Promise<SipResponse> {
    let credentials: Credentials = this.reusedCredentials();
    let answeredFresh = false;
    let asked = expires;
    for (let round = 0; ; round++) {
      const request = this.request(contacts, removed, asked, credentials);
      const res = await sendRequest(this.env.layer, request, this.env.core);
      // RFC 3261 §10.2.8: a 423 names the shortest expiry the registrar takes; asked once more
      // with it (a short-lived token's registration still ends when the token does).
      const least = res.status === 423 ? Number(res.headers.get('min-expires')) : Number.NaN;
      if (asked > 0 && Number.isInteger(least) && least > asked && round < MAX_ROUNDS) {
        asked = least;
        credentials = this.reusedCredentials(); // the next nonce count of the nonce just answered
        continue;
      }
      if ((res.status !== 401 && res.status !== 407) || answeredFresh || round >= MAX_ROUNDS) return res;
      // A nonce re-used from the last exchange may be stale: this challenge is answered afresh.
      this.digest.forget();
      const answer = this.digest.respond(res.headers.values(challengeHeaderFor(res.status)), {
        method: 'REGISTER',
        uri: this.registrar,
      });
      const value = answer.ok ? answer.values[0] : undefined;
      if (!answer.ok || value === undefined) return res;
      this.realm = answer.credentials[0]?.realm;
      credentials = { header: credentialsHeaderFor(res.status), value };
      // An AKA resynchronisation (AUTS) is answered by a new challenge, which gets its answer too.
      answeredFresh = answer.aka !== 'sync-failure';
    }
  }

  /** Credentials for a refresh from the last answered challenge, else the initial IMS form. */
  private reusedCredentials(): Credentials {
    const reused =
      this.realm === undefined
        ? undefined
        : this.digest.authorize(this.realm, { method: 'REGISTER', uri: this.registrar });
    return {
      header: 'Authorization',
      value:
        reused ??
        formatInitialImsAuthorization({
          impi: this.o.credential.impi,
          realm: this.o.homeDomain,
          uri: this.registrar,
        }),
    };
  }

  private request(
    contacts: readonly NameAddr[],
    removed: readonly NameAddr[],
    expires: number,
    credentials: Credentials,
  ): SipRequest {
    return buildPoolRegister({
      impu: this.o.credential.impu,
      registrar: this.registrar,
      via: this.env.via,
      callId: this.callId,
      fromTag: this.fromTag,
      cseq: ++this.cseq,
      contacts,
      removed,
      expires,
      outbound: this.o.outbound,
      credentials,
      pathUri: this.o.pathUri,
      visitedNetworkId: this.env.visitedNetworkId,
      icid: randomBytes(16).toString('hex'),
      icidGeneratedAt: this.env.icidGeneratedAt,
    });
  }
}

/**
 * The DigestClient secret of a pool credential: the password for SIP digest; for AKA a USIM
 * simulator from K/OPc that starts with SQN_MS 0 for each lease (it accepts the core's next SQN
 * within Δ, TS 33.102 C.2.2, and resynchronises with AUTS otherwise).
 */
function secretOf(c: ImsCredential): ClientSecret {
  const s = c.secret;
  if (s.kind === 'digest') return { password: s.password };
  return { aka: new Usim({ k: Buffer.from(s.k, 'hex'), opc: Buffer.from(s.opc, 'hex') }) };
}

/**
 * One simulated WebRTC client's registrations, written the way JsSIP 3.13 writes them
 * (bench/fixtures/register-jssip.sip): a Via with a random `.invalid` host, a Contact with
 * `transport=ws`, `+sip.ice`, `reg-id=1` and `+sip.instance`, `Supported: path,gruu,outbound`.
 * Like JsSIP, every registration (the first and each refresh) goes out without credentials,
 * gets a 401 and is sent again with a Digest answer (computed with sip/auth) and CSeq + 1;
 * refreshes keep the Call-ID and From tag. Two transactions per registration.
 */
import { randomBytes } from 'node:crypto';
import { answerChallenge } from '../../sip/auth/index.ts';
import type { ResponseFacts } from './sip-reader.ts';

/** How a client's own address appears in Via and Contact. */
export type ClientTransport = 'WS' | 'WSS' | 'UDP';

export interface ClientSpec {
  readonly index: number;
  /** home domain: Request-URI, AoR host and digest realm */
  readonly domain: string;
  readonly transport: ClientTransport;
  /** Via sent-by and Contact host for UDP (`127.0.0.2:41234`); WS/WSS invent a `.invalid` host */
  readonly udpSentBy?: string | undefined;
}

/** The subscriber behind client `index` (the IMS core's table is written from the same functions). */
export function userOf(index: number): string {
  return `bench${String(index).padStart(6, '0')}`;
}

export function passwordOf(index: number): string {
  return `pw-${index.toString(36)}-bench`;
}

export type Outcome =
  /** the 401 of the first transaction came: send `next` (the second transaction) */
  | { readonly kind: 'challenged'; readonly latencyMs: number; readonly next: string }
  | { readonly kind: 'registered'; readonly latencyMs: number }
  | { readonly kind: 'failed'; readonly latencyMs: number; readonly reason: string };

const ALLOW = 'INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY,SUBSCRIBE';
const EXPIRES = 600;

export class RegisterClient {
  readonly user: string;
  /** 'idle' between registrations; otherwise which transaction is outstanding */
  phase: 'idle' | 'initial' | 'auth' = 'idle';
  /** when the outstanding request was sent (performance.now() ms) */
  sentAt = 0;
  registered = false;
  private cseq = 0;
  private branches = 0;
  readonly callId: string;
  /** Via sent-by (and Contact host) of this client */
  readonly sentBy: string;
  /** the Contact URI it registers (its calls' Contact adds `;ob`) */
  readonly contactUri: string;
  private readonly password: string;
  private readonly fromTag: string;
  private readonly head: string;
  private readonly middle: string;
  private readonly tail: string;
  private readonly uri: string;

  constructor(readonly spec: ClientSpec) {
    this.user = userOf(spec.index);
    this.password = passwordOf(spec.index);
    const r = randomBytes(24).toString('hex');
    this.callId = r.slice(0, 22);
    this.fromTag = r.slice(22, 32);
    const transport = spec.transport;
    const sentBy = transport === 'UDP' ? (spec.udpSentBy ?? '127.0.0.1') : `${r.slice(32, 44)}.invalid`;
    const contactUser = r.slice(44, 48) + spec.index.toString(36);
    this.sentBy = sentBy;
    this.contactUri = `sip:${contactUser}@${sentBy};transport=${transport.toLowerCase()}`;
    const uuid = randomUuid();
    this.uri = `sip:${spec.domain}`;
    const aor = `<sip:${this.user}@${spec.domain}>`;
    const rport = transport === 'UDP' ? ';rport' : '';
    this.head = `REGISTER ${this.uri} SIP/2.0\r\nVia: SIP/2.0/${transport} ${sentBy}${rport};branch=z9hG4bK`;
    this.tail =
      `Expires: ${EXPIRES}\r\n` +
      `Contact: <${this.contactUri}>;+sip.ice;reg-id=1;` +
      `+sip.instance="<urn:uuid:${uuid}>";expires=${EXPIRES}\r\n` +
      `Allow: ${ALLOW}\r\nSupported: path,gruu,outbound\r\nUser-Agent: JsSIP 3.13.8\r\nContent-Length: 0\r\n\r\n`;
    this.middle = `\r\nMax-Forwards: 69\r\nTo: ${aor}\r\nFrom: ${aor};tag=${this.fromTag}\r\nCall-ID: ${this.callId}\r\n`;
  }

  /** Starts a registration (or a refresh): the REGISTER without credentials. */
  begin(now: number): string {
    this.phase = 'initial';
    this.sentAt = now;
    return this.request(undefined);
  }

  /**
   * Takes a response; undefined when it is not for the outstanding request (a late answer to a
   * request already given up on, or a provisional response).
   */
  receive(res: ResponseFacts, now: number): Outcome | undefined {
    if (this.phase === 'idle' || res.callId !== this.callId || res.cseq !== this.cseq) return undefined;
    if (res.status < 200) return undefined;
    const latencyMs = now - this.sentAt;
    if (this.phase === 'initial' && res.status === 401) {
      if (res.challenge === undefined) return this.fail(latencyMs, '401 without WWW-Authenticate');
      const answer = answerChallenge(res.challenge, {
        username: this.user,
        secret: { password: this.password },
        method: 'REGISTER',
        uri: this.uri,
        cnonce: this.fromTag,
        algorithms: ['MD5'],
      });
      if (!answer.ok) return this.fail(latencyMs, `cannot answer the challenge: ${answer.error.message}`);
      this.phase = 'auth';
      this.sentAt = now;
      return { kind: 'challenged', latencyMs, next: this.request(answer.value.value) };
    }
    if (res.status >= 200 && res.status < 300) {
      if (!res.serviceRoute) return this.fail(latencyMs, `${res.status} without Service-Route`);
      this.phase = 'idle';
      this.registered = true;
      return { kind: 'registered', latencyMs };
    }
    return this.fail(
      latencyMs,
      `${res.status} to the ${this.phase === 'initial' ? 'first' : 'authenticated'} REGISTER`,
    );
  }

  /** Gives up on the outstanding request (timeout, closed connection). */
  abandon(): void {
    this.phase = 'idle';
  }

  private fail(latencyMs: number, reason: string): Outcome {
    this.phase = 'idle';
    return { kind: 'failed', latencyMs, reason };
  }

  private request(authorization: string | undefined): string {
    this.cseq++;
    const auth = authorization === undefined ? '' : `Authorization: ${authorization}\r\n`;
    return `${this.head}${(this.branches++).toString(36)}x${this.fromTag}${this.middle}CSeq: ${this.cseq} REGISTER\r\n${auth}${this.tail}`;
  }
}

function randomUuid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

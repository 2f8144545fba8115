/**
 * One simulated WebRTC client's calls, written the way JsSIP 3.13 writes them
 * (bench/fixtures/invite-jssip-chrome.sip) from a registered client's WebSocket: an INVITE with a
 * Chrome audio offer (UDP/TLS/RTP/SAVPF, ICE, DTLS fingerprint; `offerTemplate`), then the ACK
 * for the 2xx and, after the hold time, a BYE, both along the route set the 2xx's Record-Route
 * gave (RFC 3261 §12.1.2) to its Contact. Timing is up to the caller (the load worker): this
 * class only writes requests and judges responses.
 *
 * A call fails on any non-2xx final response, on a 2xx whose SDP is not what a browser needs
 * (`webrtcAnswerProblem`: SAVPF with ICE and DTLS from rtpengine), or when the caller gives up
 * waiting (`abandon`). Setup latency: INVITE sent to 2xx received; teardown: BYE sent to its 2xx.
 */
import { randomBytes } from 'node:crypto';
import type { CallResponseFacts } from './call-reader.ts';

/** What a call needs to know about its caller: the registration's identity and transport. */
export interface Caller {
  readonly user: string;
  readonly domain: string;
  /** Via sent-by (`abc123.invalid` for WS) */
  readonly sentBy: string;
  /** the registered Contact URI (`sip:u@abc123.invalid;transport=ws`) */
  readonly contactUri: string;
  readonly transport: 'WS' | 'WSS' | 'UDP';
}

/** A Chrome offer with its addresses set and a hole for the o= session id. */
export interface OfferTemplate {
  readonly head: string;
  readonly tail: string;
  /** digits of every session id, so that Content-Length is the same for every call */
  readonly idDigits: number;
}

/**
 * Prepares a browser offer for one client address: the c= line and the IPv4 ICE candidates on
 * `address`, IPv6 candidates dropped (loopback only here), CRLF line ends, and the o= session id
 * left out to be filled per call (RFC 4566 §5.2: unique per session).
 */
export function offerTemplate(sdp: string, address: string): OfferTemplate {
  const idDigits = 19;
  const lines = sdp.split(/\r?\n/).filter((l) => l !== '');
  const out: string[] = [];
  for (const line of lines) {
    if (line.startsWith('o=')) {
      const f = line.split(' ');
      out.push(`${f[0]} \u0000 ${f[2]} IN IP4 ${address}`);
    } else if (line.startsWith('c=IN IP4 ')) out.push(`c=IN IP4 ${address}`);
    else if (line.startsWith('a=candidate:')) {
      const f = line.split(' ');
      if ((f[4] ?? ':').includes(':')) continue;
      f[4] = address;
      out.push(f.join(' '));
    } else out.push(line);
  }
  const text = `${out.join('\r\n')}\r\n`;
  const hole = text.indexOf('\u0000');
  if (hole < 0) throw new Error('the offer has no o= line');
  return { head: text.slice(0, hole), tail: text.slice(hole + 1), idDigits };
}

/**
 * Why an answer is not what a browser can use, or undefined when it is: the audio stream must be
 * `UDP/TLS/RTP/SAVPF` with rtpengine's ICE (ufrag, pwd, a candidate) and DTLS (fingerprint and
 * an `a=setup` of active or passive), without SDES keys (TS 24.371 §6.2, RFC 8827).
 */
export function webrtcAnswerProblem(sdp: string): string | undefined {
  if (sdp === '') return 'no SDP';
  if (!/^m=audio [1-9]\d* UDP\/TLS\/RTP\/SAVPF /m.test(sdp)) return 'audio not UDP/TLS/RTP/SAVPF';
  for (const attr of ['a=ice-ufrag:', 'a=ice-pwd:', 'a=candidate:', 'a=fingerprint:'])
    if (!sdp.includes(attr)) return `no ${attr.slice(0, -1)}`;
  if (!/^a=setup:(active|passive)\r?$/m.test(sdp)) return 'no a=setup:active|passive';
  if (sdp.includes('a=crypto:')) return 'SDES a=crypto offered to a browser';
  return undefined;
}

export type CallPhase = 'idle' | 'inviting' | 'established' | 'byeing';

export type CallOutcome =
  /** 2xx to the INVITE: send `ack`; `problem` when the answer is unusable (the call then fails) */
  | { readonly kind: 'answered'; readonly setupMs: number; readonly ack: string; readonly problem?: string }
  /** a retransmitted 2xx: send the ACK again */
  | { readonly kind: 'ack-again'; readonly ack: string }
  /** the BYE's 2xx */
  | { readonly kind: 'ended'; readonly teardownMs: number }
  /** a non-2xx final response; `ack` for a refused INVITE (RFC 3261 §17.1.1.3) */
  | { readonly kind: 'failed'; readonly reason: string; readonly ack?: string };

const ALLOW = 'INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY,SUBSCRIBE';

export class CallClient {
  phase: CallPhase = 'idle';
  /** when the outstanding INVITE or BYE was sent (performance.now() ms) */
  sentAt = 0;
  /** set when the call is to fail however it ends (an unusable answer) */
  problem: string | undefined;
  callId = '';
  private cseq = 0;
  private fromTag = '';
  private branch = '';
  private toTag = '';
  private target = '';
  private routes = '';
  private ack = '';
  private calls = 0;
  private readonly from: string;
  private readonly to: string;
  private readonly via: string;
  private readonly contact: string;

  constructor(
    caller: Caller,
    private readonly callee: string,
    private readonly offer: OfferTemplate,
    /** distinguishes this client's session ids from every other client's */
    private readonly idPrefix: string,
  ) {
    this.from = `<sip:${caller.user}@${caller.domain}>`;
    this.to = `<${callee}>`;
    this.via = `Via: SIP/2.0/${caller.transport} ${caller.sentBy}${caller.transport === 'UDP' ? ';rport' : ''};branch=z9hG4bK`;
    this.contact = `Contact: <${caller.contactUri};ob>\r\n`;
  }

  /** Starts a call: the INVITE with a fresh Call-ID, From tag and o= session id. */
  invite(now: number): string {
    const r = randomBytes(20).toString('hex');
    this.callId = r.slice(0, 20);
    this.fromTag = r.slice(20, 30);
    this.branch = r.slice(30);
    this.calls++;
    this.cseq = 1;
    this.toTag = '';
    this.ack = '';
    this.problem = undefined;
    this.phase = 'inviting';
    this.sentAt = now;
    const id = `${this.idPrefix}${String(this.calls)}`.padStart(this.offer.idDigits, '0');
    const sdp = `${this.offer.head}${id}${this.offer.tail}`;
    return (
      `INVITE ${this.callee} SIP/2.0\r\n${this.via}${this.branch}\r\nMax-Forwards: 69\r\n` +
      `To: ${this.to}\r\nFrom: ${this.from};tag=${this.fromTag}\r\nCall-ID: ${this.callId}\r\n` +
      `CSeq: ${this.cseq} INVITE\r\n${this.contact}Content-Type: application/sdp\r\nSession-Expires: 90\r\n` +
      `Allow: ${ALLOW}\r\nSupported: timer,ice,replaces,outbound\r\nUser-Agent: JsSIP 3.13.8\r\n` +
      `Content-Length: ${Buffer.byteLength(sdp, 'latin1')}\r\n\r\n${sdp}`
    );
  }

  /** Ends the established call: the BYE in the dialog. */
  bye(now: number): string {
    if (this.phase !== 'established') throw new Error(`bye() while ${this.phase}`);
    this.phase = 'byeing';
    this.sentAt = now;
    return this.inDialog('BYE', this.cseq + 1, `${this.branch}b`);
  }

  /**
   * Takes a response; undefined when it is not for this call's outstanding request (a provisional
   * response, a late answer to a call given up on).
   */
  receive(res: CallResponseFacts, now: number): CallOutcome | undefined {
    if (this.phase === 'idle' || res.callId !== this.callId || res.status < 200) return undefined;
    if (res.method === 'INVITE' && res.cseq === this.cseq) {
      if (this.phase !== 'inviting')
        return res.status < 300 && this.ack !== '' ? { kind: 'ack-again', ack: this.ack } : undefined;
      if (res.status >= 300) {
        this.phase = 'idle';
        this.toTag = res.toTag;
        return {
          kind: 'failed',
          reason: `${res.status} to the INVITE`,
          ack: this.ackForRefusal(),
        };
      }
      this.learnDialog(res);
      const problem =
        res.toTag === ''
          ? '2xx without a To tag'
          : res.contact === ''
            ? '2xx without a Contact'
            : webrtcAnswerProblem(res.body);
      this.problem = problem;
      this.phase = 'established';
      this.ack = this.inDialog('ACK', this.cseq, `${this.branch}a`);
      const setupMs = now - this.sentAt;
      return problem === undefined
        ? { kind: 'answered', setupMs, ack: this.ack }
        : { kind: 'answered', setupMs, ack: this.ack, problem };
    }
    if (res.method === 'BYE' && res.cseq === this.cseq + 1 && this.phase === 'byeing') {
      this.phase = 'idle';
      if (res.status >= 300) return { kind: 'failed', reason: `${res.status} to the BYE` };
      return { kind: 'ended', teardownMs: now - this.sentAt };
    }
    return undefined;
  }

  /** Gives up on the call (timeout, closed connection). */
  abandon(): void {
    this.phase = 'idle';
  }

  /**
   * For a call given up on while inviting: a 2xx that comes after all is ACKed and the call ended
   * with a BYE at once (RFC 3261 §13.2.2.4, §15), so that nothing stays up behind it. Returns the
   * ACK and the BYE to send (the ACK alone for a retransmission), or undefined when the response
   * is not such a 2xx.
   */
  hangUpLate(res: CallResponseFacts, now: number): readonly string[] | undefined {
    if (res.callId !== this.callId || res.method !== 'INVITE' || res.cseq !== this.cseq) return undefined;
    if (res.status < 200 || res.status >= 300) return undefined;
    // A retransmission of that 2xx: the ACK again, the BYE is on its way.
    if (this.phase !== 'idle') return [this.ack];
    this.learnDialog(res);
    this.phase = 'established';
    this.ack = this.inDialog('ACK', this.cseq, `${this.branch}a`);
    return [this.ack, this.bye(now)];
  }

  /** The dialog's remote tag and target, and the route set: the Record-Route in reverse (RFC 3261 §12.1.2). */
  private learnDialog(res: CallResponseFacts): void {
    this.toTag = res.toTag;
    this.target = res.contact;
    this.routes = res.recordRoutes
      .slice()
      .reverse()
      .map((r) => `Route: ${r}\r\n`)
      .join('');
  }

  private inDialog(method: 'ACK' | 'BYE', cseq: number, branch: string): string {
    return (
      `${method} ${this.target} SIP/2.0\r\n${this.via}${branch}\r\nMax-Forwards: 69\r\n${this.routes}` +
      `To: ${this.to};tag=${this.toTag}\r\nFrom: ${this.from};tag=${this.fromTag}\r\nCall-ID: ${this.callId}\r\n` +
      `CSeq: ${cseq} ${method}\r\n` +
      (method === 'BYE' ? `Allow: ${ALLOW}\r\nUser-Agent: JsSIP 3.13.8\r\n` : '') +
      'Content-Length: 0\r\n\r\n'
    );
  }

  /** The ACK of a non-2xx final response: same branch, Request-URI and CSeq as the INVITE. */
  private ackForRefusal(): string {
    const tag = this.toTag === '' ? '' : `;tag=${this.toTag}`;
    return (
      `ACK ${this.callee} SIP/2.0\r\n${this.via}${this.branch}\r\nMax-Forwards: 69\r\n` +
      `To: ${this.to}${tag}\r\nFrom: ${this.from};tag=${this.fromTag}\r\nCall-ID: ${this.callId}\r\n` +
      `CSeq: ${this.cseq} ACK\r\nContent-Length: 0\r\n\r\n`
    );
  }
}

/**
 * What a test UA received on its WebSocket, parsed once, each message handed out at most once:
 * `take` waits for the first message not yet taken that a predicate accepts, so a test can await
 * "the next BYE of this call" or "the final response to CSeq 2 UPDATE" in any order. Messages
 * that do not parse are kept as faults and shown when a wait fails.
 */
import { parseMessage, type SipMessage } from '../../sip/index.ts';
import type { SipWebSocket } from './sip-websocket.ts';

export class CallInbox {
  private readonly parsed: Array<SipMessage | string> = [];
  private readonly taken = new Set<number>();

  constructor(private readonly ws: SipWebSocket) {}

  /** Every message received so far (parse faults as strings), oldest first. */
  all(): Array<SipMessage | string> {
    this.catchUp();
    return [...this.parsed];
  }

  /** Messages not yet taken that `match` accepts, without waiting or taking them. */
  pending(match: (m: SipMessage) => boolean): SipMessage[] {
    this.catchUp();
    return this.parsed.filter(
      (m, i): m is SipMessage => typeof m !== 'string' && !this.taken.has(i) && match(m),
    );
  }

  /** The first message not yet taken that `match` accepts; throws naming `what` when none comes in time. */
  async take(match: (m: SipMessage) => boolean, what: string, timeoutMs = 5_000): Promise<SipMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.catchUp();
      const i = this.parsed.findIndex((m, k) => typeof m !== 'string' && !this.taken.has(k) && match(m));
      const found = this.parsed[i];
      if (found !== undefined && typeof found !== 'string') {
        this.taken.add(i);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; received: ${this.summary()}`);
      const arrived = await this.ws.next(() => true, left, this.ws.received.length);
      if (arrived === undefined && !this.ws.isOpen)
        throw new Error(`no ${what}: the WebSocket closed; received: ${this.summary()}`);
    }
  }

  /** One line per message received: start line, Call-ID and CSeq, "(taken)" when handed out. */
  summary(): string {
    this.catchUp();
    if (this.parsed.length === 0) return 'nothing';
    return this.parsed
      .map((m, i) => {
        if (typeof m === 'string') return `[${i}] unparseable: ${m}`;
        const line = m.kind === 'request' ? `${m.method} ${m.uri}` : `${m.status} ${m.reason}`;
        return `[${i}] ${line} (${m.headers.get('call-id')} ${m.headers.get('cseq')})${this.taken.has(i) ? ' (taken)' : ''}`;
      })
      .join('; ');
  }

  private catchUp(): void {
    const received = this.ws.received;
    for (let i = this.parsed.length; i < received.length; i++) {
      const text = received[i] ?? '';
      // RFC 5626 §3.5.1 keep-alive answers are not SIP messages.
      if (text.trim() === '') {
        this.parsed.push('keep-alive');
        continue;
      }
      const r = parseMessage(Buffer.from(text, 'utf8'));
      this.parsed.push(r.ok ? r.message : `${r.fault.code}: ${text.slice(0, 80)}`);
    }
  }
}

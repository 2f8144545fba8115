/**
 * The two peers of the forwarding-CPU benchmark, written with plain string handling so that
 * their cost does not move with the SIP library under test:
 * - `TinyCore`: an IMS core on one UDP socket. REGISTER without credentials → 401 with a digest
 *   challenge; with credentials → 200 with the Contact granted, Service-Route and
 *   P-Associated-URI. INVITE → 100, 180, 200 with an RTP/AVP answer (Record-Route echoed, a
 *   Contact); ACK absorbed; BYE and anything else → 200. It checks nothing: it is not the system
 *   under test.
 * - `BenchClient`: one WebRTC client over one WebSocket, its requests shaped like JsSIP 3.13's
 *   (bench/load/register-client.ts, bench/load/call-client.ts): a registration is a REGISTER, its
 *   401, the REGISTER again with an Authorization, its 200 (two transactions); a call is INVITE /
 *   100 / 180 / 200, ACK and BYE along the reversed Record-Route, the BYE's 200.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type WebSocket from 'ws';

const COMPACT: Readonly<Record<string, string>> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
};

/** A SIP message cut into its start line, its header fields (name lower-cased) and its body. */
export interface RawSip {
  readonly start: string;
  readonly fields: readonly (readonly [string, string])[];
  readonly body: string;
}

export function readSip(text: string): RawSip {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const lines = head.split('\r\n');
  const fields: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    fields.push([COMPACT[name] ?? name, line.slice(colon + 1).trim()]);
  }
  return { start: lines[0] ?? '', fields, body: end < 0 ? '' : text.slice(end + 4) };
}

export function field(m: RawSip, name: string): string | undefined {
  for (const [n, v] of m.fields) if (n === name) return v;
  return undefined;
}

function all(m: RawSip, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of m.fields) if (n === name) out.push(v);
  return out;
}

const ANSWER =
  'v=0\r\no=core 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
  'm=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

export class TinyCore {
  private readonly socket: Socket = createSocket('udp4');
  private tags = 0;
  /** requests received, by method */
  readonly received = new Map<string, number>();

  async start(host: string): Promise<number> {
    this.socket.on('message', (buf, rinfo) => this.receive(buf.toString('latin1'), rinfo));
    await new Promise<void>((resolve) => this.socket.bind(0, host, () => resolve()));
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string, from: RemoteInfo): void {
    if (text.startsWith('SIP/2.0 ')) return;
    const m = readSip(text);
    const method = m.start.slice(0, m.start.indexOf(' '));
    this.received.set(method, (this.received.get(method) ?? 0) + 1);
    const send = (s: string): void => {
      this.socket.send(Buffer.from(s, 'latin1'), from.port, from.address);
    };
    if (method === 'ACK') return;
    if (method === 'REGISTER') {
      if (field(m, 'authorization') === undefined) {
        send(
          this.response(m, '401 Unauthorized', [
            'WWW-Authenticate: Digest realm="ims.bench", nonce="bm9uY2U", algorithm=MD5, qop="auth"',
          ]),
        );
        return;
      }
      const contact = field(m, 'contact') ?? '';
      const aor = field(m, 'to') ?? '';
      send(
        this.response(m, '200 OK', [
          `Contact: ${contact.slice(0, contact.indexOf('>') + 1)};expires=600`,
          ...all(m, 'path').map((p) => `Path: ${p}`),
          'Service-Route: <sip:orig@scscf.ims.bench;lr>',
          `P-Associated-URI: ${aor.slice(0, aor.indexOf('>') + 1)}`,
        ]),
      );
      return;
    }
    if (method === 'INVITE') {
      const tag = `core${(++this.tags).toString(36)}`;
      const rr = all(m, 'record-route').map((r) => `Record-Route: ${r}`);
      const contact = 'Contact: <sip:callee@127.0.0.1:5099>';
      send(this.response(m, '100 Trying', []));
      send(this.response(m, '180 Ringing', [...rr, contact], tag));
      send(this.response(m, '200 OK', [...rr, contact, 'Content-Type: application/sdp'], tag, ANSWER));
      return;
    }
    send(this.response(m, '200 OK', []));
  }

  private response(m: RawSip, status: string, extra: string[], tag?: string, body = ''): string {
    const lines = [`SIP/2.0 ${status}`];
    for (const [n, v] of m.fields) {
      if (n === 'via') lines.push(`Via: ${v}`);
      else if (n === 'from') lines.push(`From: ${v}`);
      else if (n === 'to')
        lines.push(`To: ${tag === undefined || v.includes(';tag=') ? v : `${v};tag=${tag}`}`);
      else if (n === 'call-id') lines.push(`Call-ID: ${v}`);
      else if (n === 'cseq') lines.push(`CSeq: ${v}`);
    }
    lines.push(...extra, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body);
    return lines.join('\r\n');
  }
}

export type ClientEvent = 'registered' | 'called' | { readonly failed: string };

const ALLOW = 'INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY,SUBSCRIBE';

/** One client: at most one registration or call outstanding; `done` is told how each ended. */
export class BenchClient {
  busy = false;
  private readonly user: string;
  private readonly sentBy: string;
  private readonly contact: string;
  private readonly regCallId: string;
  private readonly tag: string;
  private readonly instance: string;
  private regCseq = 0;
  private branches = 0;
  private callId = '';
  private routes = '';
  private target = '';
  private toTag = '';

  constructor(
    private readonly ws: WebSocket,
    index: number,
    private readonly domain: string,
    private readonly offer: string,
    private readonly done: (e: ClientEvent) => void,
  ) {
    const r = randomBytes(20).toString('hex');
    this.user = `bench${index}`;
    this.sentBy = `${r.slice(0, 12)}.invalid`;
    this.contact = `sip:${r.slice(12, 20)}@${this.sentBy};transport=ws`;
    this.regCallId = r.slice(20, 40);
    this.tag = r.slice(0, 10);
    this.instance = `urn:uuid:${r.slice(0, 8)}-0000-4000-8000-${r.slice(8, 20)}`;
    ws.on('message', (data: Buffer) => this.receive(data.toString('latin1')));
  }

  register(): void {
    this.busy = true;
    this.send(this.registerText(undefined));
  }

  call(): void {
    this.busy = true;
    this.callId = randomBytes(10).toString('hex');
    this.send(
      `INVITE sip:callee@${this.domain} SIP/2.0\r\n${this.via()}Max-Forwards: 69\r\n` +
        `To: <sip:callee@${this.domain}>\r\nFrom: <sip:${this.user}@${this.domain}>;tag=${this.tag}\r\n` +
        `Call-ID: ${this.callId}\r\nCSeq: 1 INVITE\r\nContact: <${this.contact};ob>\r\n` +
        `Content-Type: application/sdp\r\nSession-Expires: 90\r\nAllow: ${ALLOW}\r\n` +
        'Supported: timer,ice,replaces,outbound\r\nUser-Agent: JsSIP 3.13.8\r\n' +
        `Content-Length: ${Buffer.byteLength(this.offer, 'latin1')}\r\n\r\n${this.offer}`,
    );
  }

  private via(): string {
    return `Via: SIP/2.0/WS ${this.sentBy};branch=z9hG4bK${(this.branches++).toString(36)}x${this.tag}\r\n`;
  }

  private send(text: string): void {
    this.ws.send(Buffer.from(text, 'latin1'));
  }

  private registerText(authorization: string | undefined): string {
    const aor = `<sip:${this.user}@${this.domain}>`;
    return (
      `REGISTER sip:${this.domain} SIP/2.0\r\n${this.via()}Max-Forwards: 69\r\nTo: ${aor}\r\n` +
      `From: ${aor};tag=${this.tag}\r\nCall-ID: ${this.regCallId}\r\nCSeq: ${++this.regCseq} REGISTER\r\n` +
      (authorization === undefined ? '' : `Authorization: ${authorization}\r\n`) +
      `Contact: <${this.contact}>;+sip.ice;reg-id=1;+sip.instance="<${this.instance}>";expires=600\r\n` +
      `Expires: 600\r\nAllow: ${ALLOW}\r\nSupported: path,gruu,outbound\r\nUser-Agent: JsSIP 3.13.8\r\n` +
      'Content-Length: 0\r\n\r\n'
    );
  }

  private inDialog(method: 'ACK' | 'BYE', cseq: number): string {
    return (
      `${method} ${this.target} SIP/2.0\r\n${this.via()}Max-Forwards: 69\r\n${this.routes}` +
      `To: <sip:callee@${this.domain}>;tag=${this.toTag}\r\nFrom: <sip:${this.user}@${this.domain}>;tag=${this.tag}\r\n` +
      `Call-ID: ${this.callId}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`
    );
  }

  private finish(e: ClientEvent): void {
    this.busy = false;
    this.done(e);
  }

  private receive(text: string): void {
    if (!this.busy || !text.startsWith('SIP/2.0 ')) return;
    const status = Number(text.slice(8, 11));
    if (status < 200 && status !== 180) return;
    const m = readSip(text);
    const cseq = field(m, 'cseq') ?? '';
    const method = cseq.slice(cseq.indexOf(' ') + 1);
    if (method === 'REGISTER') {
      if (status === 401) {
        const auth =
          `Digest username="${this.user}@${this.domain}", realm="ims.bench", nonce="bm9uY2U", ` +
          `uri="sip:${this.domain}", response="00000000000000000000000000000000", algorithm=MD5, ` +
          `cnonce="${this.tag}", qop=auth, nc=00000001`;
        this.send(this.registerText(auth));
      } else if (status === 200 && field(m, 'service-route') !== undefined) this.finish('registered');
      else this.finish({ failed: `${status} to REGISTER` });
      return;
    }
    if (method === 'INVITE') {
      if (status === 180) return;
      if (status !== 200 || !m.body.includes('m=audio')) {
        this.finish({ failed: `${status} to INVITE` });
        return;
      }
      const to = field(m, 'to') ?? '';
      this.toTag = to.slice(to.indexOf(';tag=') + 5);
      const contact = field(m, 'contact') ?? '';
      this.target = contact.slice(contact.indexOf('<') + 1, contact.indexOf('>'));
      this.routes = all(m, 'record-route')
        .reverse()
        .map((r) => `Route: ${r}\r\n`)
        .join('');
      this.send(this.inDialog('ACK', 1));
      this.send(this.inDialog('BYE', 2));
      return;
    }
    if (method === 'BYE') this.finish(status === 200 ? 'called' : { failed: `${status} to BYE` });
  }
}

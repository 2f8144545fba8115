/**
 * Sends one RFC 4475 torture message to the eP-CSCF, over WebSocket or over UDP to its Mw port,
 * collects what comes back, and checks it against the verdict of rfc4475-verdicts.ts.
 */
import { expect } from 'vitest';
import type { TortureVector, Verdict } from './rfc4475-verdicts.ts';
import { SipWebSocket, type WsClose } from './sip-websocket.ts';
import type { UdpSink } from './udp-sink.ts';

/**
 * A response as received, read leniently: an error response copies the faulty request's
 * header fields (RFC 3261 §8.2.6.2), so it may not pass a strict parser.
 */
export interface RawResponse {
  readonly status: number;
  readonly reason: string;
  /** values of a header field (long or compact name), each field whole, in order */
  header(name: string): string[];
}

export interface Outcome {
  /** responses received, in order */
  readonly responses: RawResponse[];
  /** the WebSocket closed by the server meanwhile */
  readonly closed: WsClose | undefined;
}

/** How long to listen for an answer that should not come. */
const SILENCE_MS = 250;
/** How long to listen after a final response for anything else (a second response). */
const GRACE_MS = 25;
const LIMIT_MS = 3_000;

export async function sendOverWs(wsUrl: string, bytes: Buffer, expectSilence: boolean): Promise<Outcome> {
  const ws = await SipWebSocket.connect(wsUrl);
  let closed: WsClose | undefined;
  void ws.closed.then((c) => (closed = c));
  try {
    ws.send(bytes);
    if (expectSilence) await sleep(SILENCE_MS);
    else if ((await ws.next((t) => isFinal(t), LIMIT_MS)) !== undefined) await sleep(GRACE_MS);
    const responses = ws.received.flatMap((t) => responseOf(Buffer.from(t, 'utf8')));
    return { responses, closed };
  } finally {
    ws.terminate();
  }
}

export async function sendOverUdp(
  sink: UdpSink,
  target: { host: string; port: number },
  bytes: Buffer,
  expectSilence: boolean,
): Promise<Outcome> {
  sink.received.length = 0;
  sink.send(bytes, target.port, target.host);
  const deadline = Date.now() + (expectSilence ? SILENCE_MS : LIMIT_MS);
  while (Date.now() < deadline) {
    if (!expectSilence && sink.received.some((d) => isFinal(d.toString('latin1')))) {
      await sleep(GRACE_MS);
      break;
    }
    await sleep(10);
  }
  return { responses: sink.received.flatMap(responseOf), closed: undefined };
}

/** Asserts the outcome of one vector on one side. */
export function expectVerdict(side: 'ws' | 'udp', vector: TortureVector, bytes: Buffer, o: Outcome): void {
  const verdict: Verdict = vector[side];
  const seen = o.responses.map((r) => `${r.status} ${r.reason}`);
  const what = `${vector.file} over ${side}: got [${seen.join(' | ')}]${o.closed ? `, closed ${o.closed.code}` : ''}`;
  const final = o.responses.find((r) => r.status >= 200);
  const callId = singleCallId(bytes);
  if (callId !== undefined)
    for (const r of o.responses)
      expect(r.header('call-id'), `${what}: answers this request only`).toEqual([callId]);
  switch (verdict.kind) {
    case 'drop':
      expect(seen, what).toEqual([]);
      return;
    case 'status':
      if (side === 'ws' && vector.wsMayClose === true && final === undefined && o.closed !== undefined)
        return;
      expect(verdict.status, what).toContain(final?.status);
      return;
    case 'either':
      if (final !== undefined && verdict.status.includes(final.status)) return;
      expectPolicy(side, bytes, final, what);
      return;
    case 'accept':
      expectPolicy(side, bytes, final, what);
      return;
  }
}

/**
 * The eP-CSCF's answer to a well-formed request: over WS a REGISTER is forwarded (the core,
 * Kamailio, answers and says so in Server) and anything else from an unregistered flow gets
 * 403; over UDP from the core a request that names no flow gets 404.
 */
function expectPolicy(side: 'ws' | 'udp', bytes: Buffer, final: RawResponse | undefined, what: string): void {
  const method = bytes.toString('latin1', 0, 64).split(' ')[0];
  if (side === 'udp') expect(final?.status, `${what}: the policy's 404`).toBe(404);
  else if (method === 'REGISTER')
    expect(final?.header('server'), `${what}: forwarded to the core`).toEqual(['ims-core-stand-in']);
  else expect(final?.status, `${what}: the policy's 403`).toBe(403);
}

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  v: 'via',
  f: 'from',
  t: 'to',
  l: 'content-length',
};

export function responseOf(data: Buffer): RawResponse[] {
  const text = data.toString('utf8');
  const start = /^SIP\/2\.0 (\d{3}) ?(.*)$/m.exec(text.slice(0, text.indexOf('\r\n')));
  if (start === null) return [];
  const end = text.indexOf('\r\n\r\n');
  const fields = (end < 0 ? text : text.slice(0, end))
    .split('\r\n')
    .slice(1)
    .map((line) => /^([^:\s]+)\s*:\s*(.*?)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const name = (m[1] ?? '').toLowerCase();
      return { name: COMPACT[name] ?? name, value: m[2] ?? '' };
    });
  return [
    {
      status: Number(start[1]),
      reason: start[2] ?? '',
      header: (name) => fields.filter((f) => f.name === name.toLowerCase()).map((f) => f.value),
    },
  ];
}

function isFinal(text: string): boolean {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(text);
  return m !== null && Number(m[1]) >= 200;
}

/** The Call-ID of the message's header section, when it has exactly one. */
function singleCallId(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const ids = [...head.matchAll(/^(?:call-id|i)[ \t]*:[ \t]*(.*?)[ \t]*$/gim)].map((m) => m[1]);
  return ids.length === 1 ? ids[0] : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

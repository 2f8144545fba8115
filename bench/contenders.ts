import jssipParser, { type JsSipIncomingMessage } from 'jssip/lib/Parser.js';
import sip, { type NpmSipMessage } from 'sip';
import { LoggerFactory, Parser as SipJsParser } from 'sip.js/lib/core/index.js';
import { parseMessage, type SipMessage, serialize } from '../sip/index.ts';

/**
 * The parsers the benchmark compares. Each one does the work a SIP element does with a message
 * it forwards: bytes in (a Buffer, as a socket delivers it), a parsed message, bytes out (a
 * Buffer ready to send). Exactly what each step is for each parser: BENCHMARKS.md.
 */
export type ContenderId = 'ours' | 'ours+typed' | 'ours+via' | 'npm-sip' | 'sip.js' | 'jssip';

export interface Contender {
  readonly id: ContenderId;
  /** true for this repository's parser */
  readonly ours: boolean;
  /** what one operation does, in one line */
  readonly work: string;
  /** one parse + serialise; returns the bytes that would be sent */
  run(buf: Buffer): Buffer;
  /** parses once and reports what the parser understood, or why it failed */
  facts(buf: Buffer): Facts | string;
  /** undoes, on the re-parsed output, what run adds on purpose (ours+via: its Via) */
  strip?(out: SipMessage): void;
}

/** What every parser must agree on before it is timed on a message. */
export interface Facts {
  /** request method or response status code */
  start: string;
  callId: string;
  cseq: number;
  branch: string | undefined;
  fromTag: string | undefined;
}

const DATAGRAM = { framing: 'datagram' } as const;

function parseOurs(buf: Buffer): SipMessage {
  const r = parseMessage(buf, DATAGRAM);
  if (!r.ok) throw new Error(`parse fault: ${r.fault.reason}`);
  return r.message;
}

/** Sum of the typed values read by ours+typed, so that the reads cannot be optimised away. */
export const sink = { typed: 0 };

/** What the eP-CSCF reads from every message: top Via branch, From tag, CSeq. */
function touchEssentials(m: SipMessage): void {
  const branch = m.topVia.params.get('branch');
  const tag = m.from.params.get('tag');
  sink.typed += (branch?.length ?? 0) + (tag?.length ?? 0) + m.cseq.seq;
}

export function oursFacts(m: SipMessage): Facts {
  return {
    start: m.kind === 'request' ? m.method : String(m.status),
    callId: m.callId,
    cseq: m.cseq.seq,
    branch: m.topVia.params.value('branch'),
    fromTag: m.from.params.value('tag'),
  };
}

function guard<T>(what: string, f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return `${what} threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const ours: Contender = {
  id: 'ours',
  ours: true,
  work: "serialize(parseMessage(buf, { framing: 'datagram' }).message)",
  run: (buf) => serialize(parseOurs(buf)),
  facts: (buf) => guard('parseMessage', () => oursFacts(parseOurs(buf))),
};

const oursTyped: Contender = {
  id: 'ours+typed',
  ours: true,
  work: 'as ours, and reads topVia branch, From tag and CSeq before serialising',
  run: (buf) => {
    const m = parseOurs(buf);
    touchEssentials(m);
    return serialize(m);
  },
  facts: ours.facts,
};

/** The Via a proxy puts on top of a request it forwards (RFC 3261 §16.6 step 8). */
const PROXY_VIA = 'SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKbench1';

/**
 * ours with one change before serialising, as a proxy forwards a message: a Via prepended.
 * The untouched fields around it are still copied from the received bytes, but as runs
 * around the new field rather than as the whole message.
 */
const oursVia: Contender = {
  id: 'ours+via',
  ours: true,
  work: `as ours, with headers.prepend('Via', '${PROXY_VIA}') before serialising`,
  run: (buf) => {
    const m = parseOurs(buf);
    m.headers.prepend('Via', PROXY_VIA);
    return serialize(m);
  },
  facts: ours.facts,
  strip: (out) => {
    out.headers.removeFirstValue('via');
  },
};

function parseNpmSip(buf: Buffer): NpmSipMessage {
  const m = sip.parse(buf);
  if (m === undefined) throw new Error('sip.parse returned undefined');
  return m;
}

const npmSip: Contender = {
  id: 'npm-sip',
  ours: false,
  work: "Buffer.from(sip.stringify(sip.parse(buf)), 'latin1')",
  run: (buf) => Buffer.from(sip.stringify(parseNpmSip(buf)), 'latin1'),
  facts: (buf) =>
    guard('sip.parse', () => {
      const m = parseNpmSip(buf);
      const h = m.headers;
      return {
        start: m.method ?? String(m.status),
        callId: h['call-id'] ?? '',
        cseq: h.cseq?.seq ?? Number.NaN,
        branch: h.via?.[0]?.params.branch ?? undefined,
        fromTag: h.from?.params.tag ?? undefined,
      };
    }),
};

const sipJsLogger = new LoggerFactory().getLogger('bench.sip.js');

function parseSipJs(buf: Buffer): ReturnType<typeof SipJsParser.parseMessage> & object {
  const m = SipJsParser.parseMessage(buf.toString('latin1'), sipJsLogger);
  if (m === undefined) throw new Error('Parser.parseMessage returned undefined');
  return m;
}

const sipJs: Contender = {
  id: 'sip.js',
  ours: false,
  work: "Buffer.from(Parser.parseMessage(buf.toString('latin1'), logger).toString(), 'latin1')",
  run: (buf) => Buffer.from(parseSipJs(buf).toString(), 'latin1'),
  facts: (buf) =>
    guard('Parser.parseMessage', () => {
      const m = parseSipJs(buf);
      return {
        start: 'statusCode' in m ? String(m.statusCode) : m.method,
        callId: m.callId,
        cseq: m.cseq,
        branch: m.viaBranch,
        fromTag: m.fromTag,
      };
    }),
};

function parseJsSip(buf: Buffer): JsSipIncomingMessage {
  const m = jssipParser.parseMessage(buf.toString('latin1'), undefined);
  if (m === undefined) throw new Error('Parser.parseMessage returned undefined');
  return m;
}

const jsSip: Contender = {
  id: 'jssip',
  ours: false,
  work: "Buffer.from(Parser.parseMessage(buf.toString('latin1'), undefined).toString(), 'latin1')",
  run: (buf) => Buffer.from(parseJsSip(buf).toString(), 'latin1'),
  facts: (buf) =>
    guard('Parser.parseMessage', () => {
      const m = parseJsSip(buf);
      return {
        start: m.status_code === undefined ? (m.method ?? '') : String(m.status_code),
        callId: m.call_id,
        cseq: m.cseq,
        branch: m.via_branch,
        fromTag: m.from_tag,
      };
    }),
};

export const CONTENDERS: readonly Contender[] = [ours, oursTyped, oursVia, npmSip, sipJs, jsSip];

/**
 * Checks that a contender parsed `buf` as ours did and that the bytes it writes back parse (with
 * our parser) into the same message with the same body length. Returns the problems, [] when
 * none: a contender is never timed on an error path.
 */
export function verify(c: Contender, buf: Buffer): string[] {
  const expected = ours.facts(buf);
  if (typeof expected === 'string') return [`our parser rejects the message: ${expected}`];
  const problems: string[] = [];
  const got = c.facts(buf);
  if (typeof got === 'string') return [got];
  for (const key of Object.keys(expected) as (keyof Facts)[])
    if (got[key] !== expected[key])
      problems.push(`${key} is ${JSON.stringify(got[key])}, expected ${JSON.stringify(expected[key])}`);
  const out = guard('run', () => c.run(buf));
  if (typeof out === 'string') return [...problems, out];
  const back = parseMessage(out, DATAGRAM);
  if (!back.ok) return [...problems, `its output does not parse: ${back.fault.reason}`];
  c.strip?.(back.message);
  const again = oursFacts(back.message);
  for (const key of Object.keys(expected) as (keyof Facts)[])
    if (again[key] !== expected[key])
      problems.push(`its output changes ${key} to ${JSON.stringify(again[key])}`);
  const bodyIn = parseOurs(buf).body.length;
  if (back.message.body.length !== bodyIn)
    problems.push(`its output carries a ${back.message.body.length}-octet body, expected ${bodyIn}`);
  return problems;
}

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SipMessage } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { validateHeaders } from '../message/validate.ts';
import type { ParseResult } from './parse-fault.ts';
import { parseMessage } from './parse-message.ts';

/**
 * Property-style robustness over the RFC 4475 corpus (RFC 4475 §1: an element must not crash
 * on what it receives): every truncation and a few thousand seeded random mutations. Whatever
 * the input, parseMessage returns a result; a fault names a status among 400, 501, 505 or null
 * and a reason; an accepted message has usable essential headers and serialises.
 */

const DIR = new URL('../../../shared/vectors/rfc4475/', import.meta.url);
const CORPUS = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .sort()
  .map((f) => readFileSync(new URL(f, DIR)));

/** mulberry32: a small seeded PRNG so that a failing mutation can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Octets that move parser state: separators, quotes, brackets, escapes, CR/LF, NUL, non-ASCII. */
const SPECIAL = Buffer.from('\r\n:;,"<>[]%\\ \t=@?/\x00\xff0', 'latin1');

/** Returns a problem description, or undefined when the result obeys the contract. */
function check(buf: Buffer, framing: 'datagram' | 'stream'): string | undefined {
  let r: ParseResult<SipMessage>;
  try {
    r = parseMessage(buf, { framing });
  } catch (e) {
    return `parseMessage threw ${String(e)}`;
  }
  if (!r.ok) {
    const f = r.fault;
    if (f.status !== 400 && f.status !== 501 && f.status !== 505 && f.status !== null)
      return `fault status ${String(f.status)}`;
    if (typeof f.reason !== 'string' || f.reason.length === 0) return 'fault without a reason';
    return undefined;
  }
  try {
    const m = r.message;
    void m.topVia;
    // Lower Vias are parsed on first use: a malformed one is reported, never thrown.
    const vias = m.viaList();
    if (typeof vias !== 'string' && vias[0]?.host !== m.topVia.host) return 'viaList disagrees with topVia';
    void m.from;
    void m.to;
    void m.callId;
    void m.cseq;
    void m.maxForwards;
    m.contacts();
    validateHeaders(m);
    const again = parseMessage(serialize(m), { framing: 'stream' });
    if (!again.ok) return `serialised message does not reparse: ${again.fault.reason}`;
  } catch (e) {
    return `accepted message is not usable: ${String(e)}`;
  }
  return undefined;
}

function mutate(input: Buffer, rnd: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rnd() * n);
  const out = Buffer.from(input);
  const edits = 1 + pick(4);
  for (let k = 0; k < edits; k++) {
    const at = pick(out.length);
    out[at] = rnd() < 0.5 ? pick(256) : SPECIAL[pick(SPECIAL.length)]!;
  }
  return out;
}

describe('parser robustness', () => {
  it('[RFC4475-1-never-crash] never throws on any truncation of a corpus message', () => {
    const problems: string[] = [];
    CORPUS.forEach((msg, n) => {
      for (let len = 0; len <= msg.length; len++) {
        const cut = msg.subarray(0, len);
        for (const framing of ['datagram', 'stream'] as const) {
          const p = check(cut, framing);
          if (p !== undefined) problems.push(`message ${n} cut at ${len} (${framing}): ${p}`);
        }
      }
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('[RFC4475-1-never-crash] never throws on 2000 seeded random byte mutations', () => {
    const rnd = prng(4475);
    const problems: string[] = [];
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const n = i % CORPUS.length;
      const buf = mutate(CORPUS[n]!, rnd);
      for (const framing of ['datagram', 'stream'] as const) {
        const p = check(buf, framing);
        if (p !== undefined) problems.push(`mutation ${i} of message ${n} (${framing}): ${p}`);
      }
      if (!parseMessage(buf).ok) rejected++;
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // the mutations do reach the fault paths
    expect(rejected).toBeGreaterThan(200);
  });
});

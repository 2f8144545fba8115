import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../message/headers.ts';
import { type SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { parseMessage } from './parse-message.ts';

/**
 * Parse → serialise → parse over the RFC 4475 corpus. A message the product does not change
 * must leave exactly as it came (RFC 4475 §3.1.1.1: a proxy forwards unknown headers unchanged;
 * RFC 3261 §16.6 step 1 starts from a copy of the received request), except that octets after
 * Content-Length in a datagram are not forwarded (RFC 4475 §3.1.1.8) and a Content-Length is
 * added when absent (RFC 3261 §18.3, needed on stream transports).
 */

const DIR = new URL('../../../shared/vectors/rfc4475/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .sort();

function startLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.uri} ${m.version}` : `${m.version} ${m.status} ${m.reason}`;
}

/** What serialize must produce for the received bytes of m. */
function expectedBytes(input: Buffer, m: SipMessage): Buffer {
  const headEnd = input.indexOf('\r\n\r\n');
  const head = input.subarray(0, headEnd + 2);
  const body = m.body;
  const added = m.headers.has('content-length') ? '' : `Content-Length: ${body.length}\r\n`;
  return Buffer.concat([head, Buffer.from(`${added}\r\n`, 'latin1'), body]);
}

const parsedFiles = FILES.flatMap((file) => {
  const input = readFileSync(new URL(file, DIR));
  const r = parseMessage(input);
  return r.ok ? [{ file, input, message: r.message }] : [];
});

describe('RFC 4475 corpus round trip', () => {
  it('[RFC4475-3.1.1-round-trip] the corpus holds every message the RFC calls valid', () => {
    const names = parsedFiles.map((p) => p.file);
    for (const valid of ['wsinv', 'intmeth', 'esc01', 'escnull', 'esc02', 'lwsdisp', 'longreq', 'dblreq'])
      expect(names).toContain(`${valid}.dat`);
    for (const valid of ['semiuri', 'transports', 'mpart01', 'unreason', 'noreason', 'inv2543'])
      expect(names).toContain(`${valid}.dat`);
  });

  it.each(parsedFiles)(
    '[RFC4475-3.1.1-round-trip] MUST serialise an untouched message to its received bytes: $file',
    ({ input, message }) => {
      const out = serialize(message);
      expect(out.equals(expectedBytes(input, message))).toBe(true);
      if (
        message.headers.has('content-length') &&
        message.body.length === input.length - input.indexOf('\r\n\r\n') - 4
      )
        expect(out.equals(input)).toBe(true);
    },
  );

  it.each(parsedFiles)(
    '[RFC4475-3.1.1-round-trip] reparsing the serialised message gives the same start line, fields and body: $file',
    ({ message }) => {
      const again = parseMessage(serialize(message), { framing: 'stream' });
      if (!again.ok) throw new Error(again.fault.reason);
      const m2 = again.message;
      expect(startLine(m2)).toBe(startLine(message));
      const fields = (m: SipMessage) => m.headers.fields.map((f) => [f.name, f.key, f.value, f.raw]);
      const before = fields(message);
      if (!message.headers.has('content-length'))
        before.push([
          'Content-Length',
          'content-length',
          String(message.body.length),
          `Content-Length: ${message.body.length}\r\n`,
        ]);
      expect(fields(m2)).toEqual(before);
      expect(m2.body.equals(message.body)).toBe(true);
    },
  );

  it('[RFC4475-3.1.1-round-trip] drops the trailing octets of dblreq and adds Content-Length to inv2543', () => {
    const dbl = parsedFiles.find((p) => p.file === 'dblreq.dat')!;
    const out = serialize(dbl.message).toString('latin1');
    expect(out.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
    expect(out).not.toContain('INVITE');
    const inv = parsedFiles.find((p) => p.file === 'inv2543.dat')!;
    const text = serialize(inv.message).toString('latin1');
    expect(text).toContain('\r\nContent-Type: application/sdp\r\nContent-Length: 105\r\n\r\nv=0\r\n');
  });

  it.each(parsedFiles)(
    '[RFC4475-3.1.1-round-trip] an edited message serialises to the same octets whether untouched runs are copied or written from text: $file',
    ({ input }) => {
      const edits: Array<(m: SipMessage) => void> = [
        (m) => m.headers.prepend('Via', 'SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKrt1'),
        (m) => m.headers.set('Max-Forwards', '10'),
        (m) => m.headers.removeFirstValue('via'),
        (m) => m.headers.fields.reverse(),
        (m) => (m.body = Buffer.from('x')),
      ];
      for (const [i, edit] of edits.entries()) {
        const r = parseMessage(input);
        if (!r.ok) throw new Error(r.fault.reason);
        const m = r.message;
        edit(m);
        const fields = new SipHeaders(m.headers.fields.map((f) => ({ ...f })));
        const asText =
          m.kind === 'request'
            ? new SipRequest(m.method, m.uri, fields, m.body, m.version)
            : new SipResponse(m.status, m.reason, fields, m.body, m.version);
        expect(serialize(m).equals(serialize(asText)), `edit ${i}`).toBe(true);
      }
    },
  );
});

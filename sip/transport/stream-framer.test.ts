import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../parser/parse-message.ts';
import { contentLength, type FrameSink, type FramingFault, StreamFramer } from './stream-framer.ts';

const vector = (name: string): Buffer =>
  readFileSync(new URL(`../../../shared/vectors/rfc4475/${name}`, import.meta.url));

class Recorder implements FrameSink {
  frames: Buffer[] = [];
  pings = 0;
  faults: FramingFault[] = [];
  receiveFrame(frame: Buffer): void {
    this.frames.push(Buffer.from(frame));
  }
  receivePing(): void {
    this.pings++;
  }
  receiveFramingFault(fault: FramingFault): void {
    this.faults.push(fault);
  }
}

function framer(max = 65535): { f: StreamFramer; r: Recorder } {
  const r = new Recorder();
  return { f: new StreamFramer(r, max), r };
}

function sip(body: string | Buffer, lengthHeader = 'Content-Length', extra = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const head =
    'MESSAGE sip:bob@example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/TCP client.example.com;branch=z9hG4bK776asdhds\r\n' +
    'Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1928301774\r\n' +
    `Call-ID: a84b4c76e66710\r\nCSeq: 1 MESSAGE\r\n${extra}${lengthHeader}: ${b.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

describe('StreamFramer', () => {
  it('[RFC3261-18.3-stream-framing] MUST cut exactly one message per Content-Length, split at every octet boundary', () => {
    const msg = sip('hello\r\n\r\nworld');
    for (let cut = 1; cut < msg.length; cut++) {
      const { f, r } = framer();
      f.push(msg.subarray(0, cut));
      expect(r.frames).toHaveLength(0);
      f.push(msg.subarray(cut));
      expect(r.frames, `cut at ${cut}`).toEqual([msg]);
      expect(f.pendingBytes).toBe(0);
    }
  });

  it('[RFC3261-18.3-stream-framing] MUST frame two messages split at every octet boundary, one octet at a time too', () => {
    const a = sip('first body');
    const b = sip('second', 'l');
    const stream = Buffer.concat([a, b]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { f, r } = framer();
      f.push(stream.subarray(0, cut));
      f.push(stream.subarray(cut));
      expect(r.frames, `cut at ${cut}`).toEqual([a, b]);
    }
    const { f, r } = framer();
    for (let i = 0; i < stream.length; i++) f.push(stream.subarray(i, i + 1));
    expect(r.frames).toEqual([a, b]);
    expect(r.faults).toEqual([]);
  });

  it('[RFC3261-18.3-stream-framing] MUST deliver several messages of one chunk, each parseable in stream mode', () => {
    const msgs = [sip(''), sip('x'), sip('abc', 'content-LENGTH'), sip('', 'l')];
    const { f, r } = framer();
    f.push(Buffer.concat(msgs));
    expect(r.frames).toEqual(msgs);
    for (const frame of r.frames) expect(parseMessage(frame, { framing: 'stream' }).ok).toBe(true);
  });

  it('[RFC3261-18.3-stream-framing] cuts whole messages out of a chunk without copying them', () => {
    const chunk = Buffer.concat([sip('one'), sip('two')]);
    const seen: Buffer[] = [];
    const f = new StreamFramer(
      { receiveFrame: (b) => seen.push(b), receivePing: () => {}, receiveFramingFault: () => {} },
      65535,
    );
    f.push(chunk);
    expect(seen).toHaveLength(2);
    for (const frame of seen) expect(frame.buffer).toBe(chunk.buffer);
  });

  it('[RFC3261-18.3-stream-framing] MUST frame bodies with NUL octets and CRLF CRLF by length (RFC 4475 mpart01)', () => {
    const mpart = vector('mpart01.dat');
    const body = Buffer.from([0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0xff, 0x0a]);
    const withNul = sip(body);
    const { f, r } = framer();
    f.push(Buffer.concat([mpart, withNul]));
    expect(r.frames).toEqual([mpart, withNul]);
    const parsed = parseMessage(r.frames[1]!, { framing: 'stream' });
    expect(parsed.ok && parsed.message.body).toEqual(body);
  });

  it('[RFC3261-18.3-stream-framing] reads Content-Length in any case, compact, with LWS before the colon and folded', () => {
    for (const [name, value] of [
      ['CONTENT-LENGTH', '4'],
      ['L', '4'],
      ['Content-Length ', '  4  '],
      ['l\t', '\r\n 4'],
    ] as const) {
      const m = Buffer.from(
        `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\n${name}:${value}\r\n\r\nbodyNEXT`,
        'latin1',
      );
      const { f, r } = framer();
      f.push(m);
      expect(r.frames[0]?.subarray(-4).toString(), `${name}`).toBe('body');
      expect(f.pendingBytes).toBe(4);
    }
  });

  it('[RFC3261-18.3-stream-framing] does not mistake other headers ending in "l" or starting with "Content-Length" for it', () => {
    const m = Buffer.from(
      'OPTIONS sip:a@b SIP/2.0\r\nContent-Lengthy: 9\r\nlx: 9\r\nUrl: 9\r\nContent-Length: 2\r\n\r\nok',
      'latin1',
    );
    expect(contentLength(m, 0, m.indexOf('\r\n\r\n') + 2)).toBe(2);
  });

  it('[RFC5626-3.5.1-crlf-keepalive] MUST report a double-CRLF ping between messages and skip single CRLFs', () => {
    const { f, r } = framer();
    f.push(Buffer.from('\r\n\r\n'));
    expect(r.pings).toBe(1);
    f.push(Buffer.from('\r\n')); // a pong or a leading CRLF: nothing to answer
    expect(r.pings).toBe(1);
    f.push(Buffer.from('\r'));
    f.push(Buffer.from('\n'));
    expect(r.pings).toBe(2);
    const m = sip('body');
    f.push(Buffer.concat([Buffer.from('\r\n\r\n\r\n\r\n'), m, Buffer.from('\r\n\r\n')]));
    expect(r.pings).toBe(5);
    expect(r.frames).toEqual([m]);
    expect(f.pendingBytes).toBe(0);
    expect(r.faults).toEqual([]);
  });

  it('[RFC5626-3.5.1-crlf-keepalive] does not count CRLFs inside a body as pings', () => {
    const m = sip('\r\n\r\n\r\n\r\n');
    const { f, r } = framer();
    f.push(m);
    expect(r.frames).toEqual([m]);
    expect(r.pings).toBe(0);
  });

  it('[RFC4475-3.1.2.2-clerr-stream] MUST wait for more data when the body is shorter than Content-Length', () => {
    const clerr = vector('clerr.dat');
    const { f, r } = framer();
    f.push(clerr);
    expect(r.frames).toEqual([]);
    expect(r.faults).toEqual([]);
    expect(f.pendingBytes).toBe(clerr.length);
  });

  it('[RFC3261-18.3-content-length-required] MUST treat a message without Content-Length as unrecoverable', () => {
    const { f, r } = framer();
    f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\n\r\nmore'));
    expect(r.faults.map((x) => x.code)).toEqual(['no-content-length']);
    expect(r.faults[0]!.head?.toString()).toMatch(/^OPTIONS .*\r\n\r\n$/s);
    f.push(sip('later'));
    expect(r.frames).toEqual([]);
    expect(f.isStopped).toBe(true);
  });

  it('[RFC4475-3.1.2.3-ncl-stream] MUST treat a negative Content-Length as unrecoverable', () => {
    const { f, r } = framer();
    f.push(vector('ncl.dat'));
    expect(r.faults.map((x) => x.code)).toEqual(['bad-content-length']);
    expect(r.frames).toEqual([]);
  });

  it('[RFC4475-3.3.9-mcl01-stream] MUST treat conflicting Content-Length values as unrecoverable', () => {
    const { f, r } = framer();
    f.push(vector('mcl01.dat'));
    expect(r.faults.map((x) => x.code)).toEqual(['conflicting-content-length']);
    expect(r.frames).toEqual([]);
  });

  it('[RFC3261-18.3-stream-framing] accepts repeated Content-Length fields that agree', () => {
    const m = sip('abc', 'Content-Length', 'l: 3\r\n');
    const { f, r } = framer();
    f.push(m);
    expect(r.frames).toEqual([m]);
  });

  it('[RFC3261-18.3-framing-limits] MUST give up when a header section grows beyond the maximum message size', () => {
    const { f, r } = framer(200);
    f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n'));
    for (let i = 0; i < 10 && r.faults.length === 0; i++)
      f.push(Buffer.from(`X-Filler: ${'y'.repeat(30)}\r\n`));
    expect(r.faults.map((x) => x.code)).toEqual(['header-too-large']);
    expect(f.pendingBytes).toBe(0);
  });

  it('[RFC3261-18.3-framing-limits] MUST give up when Content-Length announces a message beyond the maximum', () => {
    const { f, r } = framer(300);
    f.push(sip('x'.repeat(10), 'Content-Length: 100000\r\nX-Ignored'));
    expect(r.faults.map((x) => x.code)).toEqual(['message-too-large']);
  });

  it('[RFC3261-18.3-stream-framing] frames a random mix of messages and keep-alives cut at random places', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const msgs: Buffer[] = [];
    const parts: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      if (rand(3) === 0) parts.push(Buffer.from('\r\n\r\n'));
      const body = Buffer.alloc(rand(300), i);
      const m = sip(body, rand(2) === 0 ? 'l' : 'Content-Length');
      msgs.push(m);
      parts.push(m);
    }
    const stream = Buffer.concat(parts);
    const { f, r } = framer();
    for (let pos = 0; pos < stream.length; ) {
      const n = 1 + rand(700);
      f.push(stream.subarray(pos, pos + n));
      pos += n;
    }
    expect(r.frames).toEqual(msgs);
    expect(r.faults).toEqual([]);
    expect(f.pendingBytes).toBe(0);
  });
});

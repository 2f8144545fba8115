import { describe, expect, it } from 'vitest';
import { serialize } from '../message/serialize.ts';
import { forwardCopy } from './forward-request.ts';
import { wire } from './proxy-harness.ts';

const VIA = 'SIP/2.0/UDP 192.0.2.10:5060';

/** Header lines of a serialised message, folded continuation lines kept with their field. */
function headerLines(bytes: Buffer): string[] {
  const head = bytes.toString('latin1').split('\r\n\r\n')[0]!;
  const out: string[] = [];
  for (const line of head.split('\r\n').slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 0)
      out[out.length - 1] += `\r\n${line}`;
    else out.push(line);
  }
  return out;
}

const received = (): ReturnType<typeof wire> =>
  wire(
    [
      'MESSAGE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1;received=192.0.2.1 , SIP/2.0/TCP 198.51.100.7;branch=z9hG4bKb2',
      'Max-Forwards:   17',
      'f: "Alice" <sip:alice@example.com>;tag=88',
      'To:sip:bob@example.com',
      'i: fwd-1@example.com',
      'CSeq: 4 MESSAGE',
      'Subject: a folded',
      '\tsubject line',
      'X-Unknown:  kept ;  as=is',
      'c: text/plain',
    ],
    'hello',
  );

describe('forwardCopy: the request a proxy forwards', () => {
  it('[RFC3261-16.6-max-forwards] MUST decrement Max-Forwards by one in the copy', () => {
    const copy = forwardCopy(received(), VIA, 'z9hG4bKp1');
    expect(copy.maxForwards).toBe(16);
    expect(headerLines(serialize(copy))).toContain('Max-Forwards: 16');
  });

  it('[RFC3261-16.6-max-forwards] MUST add Max-Forwards 70 when the request has none', () => {
    const req = received();
    req.headers.remove('max-forwards');
    const copy = forwardCopy(req, VIA, 'z9hG4bKp1');
    expect(copy.headers.values('max-forwards')).toEqual(['70']);
  });

  it('[RFC3261-16.6-via] MUST put the proxy Via, with the given branch, above the received Via values', () => {
    const copy = forwardCopy(received(), VIA, 'z9hG4bKp1');
    expect(copy.vias.map((v) => `${v.host}:${v.params.get('branch')}`)).toEqual([
      '192.0.2.10:z9hG4bKp1',
      '192.0.2.1:z9hG4bKa1',
      '198.51.100.7:z9hG4bKb2',
    ]);
  });

  it('[RFC3261-16.6-copy] MUST forward every other header field byte for byte, in order, with the body', () => {
    const req = received();
    const copy = forwardCopy(req, VIA, 'z9hG4bKp1');
    const before = headerLines(serialize(req));
    const after = headerLines(serialize(copy));
    expect(after[0]).toBe(`Via: ${VIA};branch=z9hG4bKp1`);
    const expected = before.map((l) => (l.startsWith('Max-Forwards') ? 'Max-Forwards: 16' : l));
    expect(after.slice(1)).toEqual(expected);
    expect(copy.method).toBe('MESSAGE');
    expect(copy.uri).toBe('sip:bob@example.com');
    expect(copy.body.toString()).toBe('hello');
  });

  it('[RFC3261-16.6-copy] MUST leave the received request unchanged (it stays the server transaction request)', () => {
    const req = received();
    const bytes = serialize(req);
    forwardCopy(req, VIA, 'z9hG4bKp1');
    forwardCopy(req, VIA, 'z9hG4bKp2');
    expect(serialize(req).equals(bytes)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { SipMessage } from '../message/message.ts';
import type { ParseFault } from './parse-fault.ts';
import { parseMessage } from './parse-message.ts';

const HEADERS = [
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.com',
  'CSeq: 314159 INVITE',
];

function wire(start: string, headers: string[], body = ''): Buffer {
  return Buffer.from(`${[start, ...headers].join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

const INVITE = 'INVITE sip:bob@biloxi.com SIP/2.0';

function ok(buf: Buffer, framing: 'datagram' | 'stream' = 'datagram'): SipMessage {
  const r = parseMessage(buf, { framing });
  if (!r.ok) throw new Error(`${r.fault.code}: ${r.fault.reason}`);
  return r.message;
}

function fault(buf: Buffer, framing: 'datagram' | 'stream' = 'datagram'): ParseFault {
  const r = parseMessage(buf, { framing });
  if (r.ok) throw new Error('must be rejected');
  return r.fault;
}

const brief = (f: ParseFault) => ({ status: f.status, code: f.code, header: f.header, line: f.line });

describe('message framing (RFC 3261 §7.5, §18.3)', () => {
  it('[RFC3261-7.5-leading-crlf] ignores CRLFs before the start line', () => {
    const m = ok(
      Buffer.concat([Buffer.from('\r\n\r\n\r\n'), wire(INVITE, [...HEADERS, 'Content-Length: 0'])]),
    );
    expect(m.kind === 'request' && m.method).toBe('INVITE');
    expect(fault(Buffer.from('\r\n\r\n'))).toMatchObject({ code: 'empty', status: null });
    expect(fault(Buffer.alloc(0))).toMatchObject({ code: 'empty', status: null });
  });

  it('[RFC3261-18.3-framing] frames a datagram body by Content-Length and ignores octets after it', () => {
    const m = ok(wire(INVITE, [...HEADERS, 'Content-Length: 3'], 'abcdef'));
    expect(m.body.toString()).toBe('abc');
  });

  it('[RFC3261-18.3-framing] takes the rest of a datagram as body when Content-Length is absent', () => {
    expect(ok(wire(INVITE, HEADERS, 'v=0\r\n')).body.toString()).toBe('v=0\r\n');
  });

  it('[RFC3261-18.3-framing] answers 400 to a datagram shorter than its Content-Length', () => {
    expect(brief(fault(wire(INVITE, [...HEADERS, 'Content-Length: 10'], 'short')))).toEqual({
      status: 400,
      code: 'content-length',
      header: 'Content-Length',
      line: 8,
    });
  });

  it('[RFC3261-18.3-framing] requires Content-Length on a stream and that it matches the framed body', () => {
    expect(ok(wire(INVITE, [...HEADERS, 'l: 2'], 'hi'), 'stream').body.toString()).toBe('hi');
    expect(fault(wire(INVITE, HEADERS, 'hi'), 'stream')).toMatchObject({
      status: 400,
      code: 'content-length',
    });
    expect(fault(wire(INVITE, [...HEADERS, 'l: 1'], 'hi'), 'stream')).toMatchObject({
      code: 'content-length',
    });
    expect(fault(Buffer.from(`${INVITE}\r\n${HEADERS.join('\r\n')}\r\n`), 'stream')).toMatchObject({
      code: 'not-terminated',
    });
  });

  it('[RFC3261-18.3-framing] rejects a datagram whose header section has no empty line', () => {
    const f = fault(Buffer.from(`${INVITE}\r\n${[...HEADERS, 'l: 0'].join('\r\n')}\r\n`));
    expect(f).toMatchObject({ status: 400, code: 'not-terminated' });
    expect(f.partial?.headers.get('call-id')).toBe('a84b4c76e66710@pc33.atlanta.com');
  });

  it('[RFC3261-7-crlf] rejects lines ending in a bare LF with a precise reason', () => {
    const lf = Buffer.from(`${[INVITE, ...HEADERS, 'Content-Length: 0'].join('\n')}\n\n`);
    expect(fault(lf)).toMatchObject({ status: 400, code: 'start-line', line: 1 });
    expect(fault(lf).reason).toContain('LF');
    const response = Buffer.from('SIP/2.0 200 OK\nVia: SIP/2.0/UDP h\n\n');
    expect(fault(response)).toMatchObject({ status: null, code: 'start-line' });
  });
});

describe('header section (RFC 3261 §7.3.1)', () => {
  it('[RFC3261-7.3.1-folding] unfolds continuation lines into one SP and keeps the raw field', () => {
    const m = ok(
      wire(INVITE, [...HEADERS, 'Subject: I know you are there,', '\t pick up the phone', ' now', 'l: 0']),
    );
    expect(m.headers.get('subject')).toBe('I know you are there, pick up the phone now');
    expect(m.headers.first('subject')?.raw).toBe(
      'Subject: I know you are there,\r\n\t pick up the phone\r\n now\r\n',
    );
  });

  it('[RFC3261-7.3.1-folding] accepts whitespace before the colon and none after it', () => {
    const m = ok(wire(INVITE, [...HEADERS, 'Subject  \t:value', 'X-Empty:', 'l: 0']));
    expect(m.headers.get('subject')).toBe('value');
    expect(m.headers.get('x-empty')).toBe('');
  });

  it('[RFC3261-7.3.1-folding] reports a line without a colon or with a non-token name, with its line', () => {
    expect(brief(fault(wire(INVITE, [...HEADERS, 'Foobar roobar', 'l: 0'])))).toEqual({
      status: 400,
      code: 'header-syntax',
      header: undefined,
      line: 8,
    });
    expect(fault(wire(INVITE, [...HEADERS, 'Bad Name: x']))).toMatchObject({
      code: 'header-syntax',
      line: 8,
    });
    expect(fault(wire(INVITE, [' leading: fold', ...HEADERS]))).toMatchObject({
      code: 'header-syntax',
      line: 2,
    });
  });

  it('[RFC3261-7.3.1-folding] counts folded lines when reporting the line of a later fault', () => {
    const f = fault(wire(INVITE, ['Subject: a', ' b', ' c', ...HEADERS.slice(0, 5), 'CSeq: x INVITE']));
    expect(brief(f)).toEqual({ status: 400, code: 'header-value', header: 'CSeq', line: 10 });
  });
});

describe('essential headers (RFC 3261 §8.1.1, §8.2)', () => {
  it('[RFC3261-8.1.1-essential-headers] answers 400 to a request missing Via, From, To, Call-ID or CSeq', () => {
    for (const [drop, header] of [
      [0, 'Via'],
      [2, 'To'],
      [3, 'From'],
      [4, 'Call-ID'],
      [5, 'CSeq'],
    ] as const) {
      const f = fault(
        wire(
          INVITE,
          HEADERS.filter((_, i) => i !== drop),
        ),
      );
      expect(brief(f)).toEqual({ status: 400, code: 'missing-header', header, line: undefined });
    }
  });

  it('[RFC3261-8.1.1-essential-headers] answers 400 to malformed essential values, naming the header', () => {
    const cases: Array<[number, string, string]> = [
      [0, 'Via: SIP/2.0/UDP', 'Via'],
      [1, 'Max-Forwards: 256', 'Max-Forwards'],
      [2, 'To: <sip:bob@biloxi.com', 'To'],
      [3, 'From: sip:alice@atlanta.com?x=y', 'From'],
      [4, 'Call-ID: has space', 'Call-ID'],
      [5, 'CSeq: 2147483648 INVITE', 'CSeq'],
    ];
    for (const [at, line, header] of cases) {
      const headers = HEADERS.map((h, i) => (i === at ? line : h));
      expect(brief(fault(wire(INVITE, headers)))).toEqual({
        status: 400,
        code: 'header-value',
        header,
        line: at + 2,
      });
    }
  });

  it('[RFC3261-8.1.1-essential-headers] drops a malformed response instead of answering it', () => {
    const f = fault(wire('SIP/2.0 200 OK', [...HEADERS.slice(0, 5), 'CSeq: 1 INVITE', 'To: <sip:x@y>']));
    expect(f).toMatchObject({ status: null, code: 'multiple-values', header: 'To' });
    expect(f.partial).toBeUndefined();
  });

  it('[RFC3261-8.1.1-essential-headers] accepts a request without Max-Forwards and a response without it', () => {
    expect(
      ok(
        wire(
          INVITE,
          HEADERS.filter((_, i) => i !== 1),
        ),
      ).maxForwards,
    ).toBeUndefined();
    expect(ok(wire('SIP/2.0 180 Ringing', HEADERS)).kind).toBe('response');
  });

  it('[RFC3261-8.1.1-essential-headers] rejects status codes outside 100-699 and malformed status lines', () => {
    for (const line of [
      'SIP/2.0 099 Low',
      'SIP/2.0 700 High',
      'SIP/2.0 20 Short',
      'SIP/2.0 200',
      'SIP/3.0 200 OK',
    ])
      expect(fault(wire(line, HEADERS)).status).toBeNull();
  });
});

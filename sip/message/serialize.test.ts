import { describe, expect, it } from 'vitest';
import { parseMessage } from '../parser/parse-message.ts';
import { SipHeaders } from './headers.ts';
import { type SipMessage, SipRequest, SipResponse } from './message.ts';
import { serialize } from './serialize.ts';

const FOLDED = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
  '  branch  =   z9hG4bK9ikj8',
  'TO :',
  ' sip:bob@biloxi.example.com',
  'f: "A" <sip:a@example.com>;tag=1',
  'i: folded@example.com',
  'cseq: 0009',
  '  INVITE',
  'X-Odd:   ;;,,;;,;',
  'l: 4',
  '',
  'ab\r\n',
].join('\r\n');

function parse(text: string | Buffer): SipMessage {
  const r = parseMessage(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  if (!r.ok) throw new Error(r.fault.reason);
  return r.message;
}

describe('serialize', () => {
  it('[DESIGN-process-raw-headers] writes untouched fields byte-identical: folding, compact names, spacing', () => {
    const input = Buffer.from(FOLDED, 'latin1');
    expect(serialize(parse(input)).equals(input)).toBe(true);
  });

  it('[DESIGN-process-raw-headers] rewrites only the changed field, in canonical form', () => {
    const m = parse(FOLDED);
    m.headers.set('to', '<sip:carol@chicago.example.com>');
    m.headers.append('record-route', '<sip:p1.example.com;lr>');
    m.headers.prepend('Via', 'SIP/2.0/UDP p1.example.com;branch=z9hG4bK77');
    const text = serialize(m).toString('latin1');
    expect(text).toBe(
      [
        'INVITE sip:bob@biloxi.example.com SIP/2.0',
        'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK77',
        'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
        '  branch  =   z9hG4bK9ikj8',
        'To: <sip:carol@chicago.example.com>',
        'f: "A" <sip:a@example.com>;tag=1',
        'i: folded@example.com',
        'cseq: 0009',
        '  INVITE',
        'X-Odd:   ;;,,;;,;',
        'l: 4',
        'Record-Route: <sip:p1.example.com;lr>',
        '',
        'ab\r\n',
      ].join('\r\n'),
    );
  });

  it('[RFC3261-18.3-content-length] rewrites Content-Length when the body changes, keeping its spelling', () => {
    const m = parse(FOLDED);
    m.body = Buffer.from('hello world');
    const text = serialize(m).toString('latin1');
    expect(text).toContain('\r\nl: 11\r\n\r\nhello world');
    expect(text).not.toContain('l: 4');
    m.body = Buffer.alloc(0);
    expect(serialize(m).toString('latin1').endsWith('\r\nl: 0\r\n\r\n')).toBe(true);
  });

  it('[RFC3261-18.3-content-length] adds Content-Length when absent and writes it only once', () => {
    const req = new SipRequest('MESSAGE', 'sip:bob@example.com');
    req.headers.append('call-id', 'a@b');
    req.body = Buffer.from([0x00, 0xff, 0x0d, 0x0a]);
    const out = serialize(req);
    expect(out.subarray(0, out.length - 4).toString('latin1')).toBe(
      'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: a@b\r\nContent-Length: 4\r\n\r\n',
    );
    expect(out.subarray(-4)).toEqual(Buffer.from([0x00, 0xff, 0x0d, 0x0a]));
    const twice = new SipHeaders();
    twice.append('Content-Length', '0');
    twice.append('Content-Length', '0');
    const res = new SipResponse(200, 'OK', twice);
    expect(serialize(res).toString('latin1')).toBe('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
  });

  it('[RFC3261-18.3-content-length] corrects a Content-Length set by hand to the real body length', () => {
    const res = new SipResponse(180, 'Ringing');
    res.headers.append('Content-Length', '999');
    res.body = Buffer.from('x');
    expect(serialize(res).toString('latin1')).toBe('SIP/2.0 180 Ringing\r\nContent-Length: 1\r\n\r\nx');
  });

  it('[DESIGN-process-raw-headers] writes the start line from the message fields', () => {
    const m = parse(FOLDED);
    if (m.kind !== 'request') throw new Error('request expected');
    m.uri = 'sip:bob@192.0.2.4:5070';
    expect(
      serialize(m).toString('latin1').startsWith('INVITE sip:bob@192.0.2.4:5070 SIP/2.0\r\nv:  SIP'),
    ).toBe(true);
    const res = new SipResponse(100, '');
    expect(serialize(res).toString('latin1')).toBe('SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n');
  });

  it('[DESIGN-process-raw-headers] keeps non-ASCII octets of header values and reason phrases', () => {
    const input = Buffer.concat([
      Buffer.from('SIP/2.0 200 '),
      Buffer.from('Окей', 'utf8'),
      Buffer.from('\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: "'),
      Buffer.from('Ünïcødé', 'utf8'),
      Buffer.from(
        '" <sip:a@b>;tag=2\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: u@v\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
      ),
    ]);
    const m = parse(input);
    expect(serialize(m).equals(input)).toBe(true);
    expect(Buffer.from(m.to.displayName ?? '', 'latin1').toString('utf8')).toBe('Ünïcødé');
  });

  it('[DESIGN-process-raw-headers] copies received runs and writes edits between them, as the text of the fields would', () => {
    const edits: Array<[string, (m: SipMessage) => void]> = [
      ['prepend Via', (m) => m.headers.prepend('Via', 'SIP/2.0/UDP p1.example.com;branch=z9hG4bK77')],
      ['set a field in the middle', (m) => m.headers.set('Max-Forwards', '69')],
      ['remove a field', (m) => m.headers.remove('call-id')],
      ['pop the top Via', (m) => m.headers.removeFirstValue('via')],
      ['move a field to the end', (m) => m.headers.fields.push(...m.headers.fields.splice(1, 1))],
      [
        'change the Request-URI',
        (m) => {
          if (m.kind === 'request') m.uri = 'sip:x@192.0.2.9';
        },
      ],
      ['change the body', (m) => (m.body = Buffer.from('v=0\r\n'))],
      ['clone the header set', (m) => (m.headers = m.headers.clone())],
    ];
    const input = Buffer.from(
      [
        'INVITE sip:bob@biloxi.example.com SIP/2.0',
        'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
        'Max-Forwards: 70',
        'To: Bob <sip:bob@biloxi.example.com>',
        'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
        'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
        'CSeq: 314159 INVITE',
        'Content-Type: application/sdp',
        'Content-Length: 4',
        '',
        'abcd',
      ].join('\r\n'),
      'latin1',
    );
    for (const [what, edit] of edits) {
      const m = parse(input);
      edit(m);
      // The same fields without the received octets: every field is written from its text.
      const copy = new SipHeaders(m.headers.fields.map((f) => ({ ...f })));
      const text =
        m.kind === 'request'
          ? new SipRequest(m.method, m.uri, copy, m.body, m.version)
          : new SipResponse(m.status, m.reason, copy, m.body, m.version);
      expect(serialize(m).toString('latin1'), what).toBe(serialize(text).toString('latin1'));
    }
  });

  it('[DESIGN-process-raw-headers] writes a field whose raw text was replaced from that text', () => {
    const m = parse(FOLDED);
    const fields = m.headers.fields;
    const at = fields.findIndex((f) => f.key === 'to');
    fields[at] = { ...fields[at]!, raw: 'To: <sip:changed@example.com>\r\n' };
    m.headers.touch('to');
    const text = serialize(m).toString('latin1');
    expect(text).toContain('\r\nTo: <sip:changed@example.com>\r\nf: "A"');
    expect(text).not.toContain('TO :');
  });

  it('[DESIGN-process-raw-headers] gives every output its own octets, apart from the input and from each other', () => {
    const input = Buffer.from(FOLDED, 'latin1');
    const m = parse(input);
    const a = serialize(m);
    const b = serialize(m);
    expect(a.equals(input) && b.equals(input)).toBe(true);
    a.fill(0x78);
    expect(b.equals(input)).toBe(true);
    expect(m.body.toString('latin1')).toBe('ab\r\n');
    expect(serialize(m).equals(input)).toBe(true);
    expect(Object.keys(JSON.parse(JSON.stringify(m.headers)))).toEqual(['fields', 'version']);
  });
});

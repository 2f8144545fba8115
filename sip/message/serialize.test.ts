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
});

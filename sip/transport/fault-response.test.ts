import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { faultResponse, reasonText } from './fault-response.ts';

const vector = (name: string): Buffer =>
  readFileSync(new URL(`../../../shared/vectors/rfc4475/${name}`, import.meta.url));

function answer(frame: Buffer): SipResponse | undefined {
  const r = parseMessage(frame, { framing: 'datagram' });
  if (r.ok) throw new Error('expected a fault');
  const resp = faultResponse(r.fault, '192.0.2.200', 5070);
  if (resp === undefined) return undefined;
  // what the peer gets must itself parse as a response
  const back = parseMessage(serialize(resp));
  if (!back.ok || back.message.kind !== 'response') throw new Error(`unparseable answer: ${serialize(resp)}`);
  return back.message;
}

describe('faultResponse', () => {
  it('[RFC3261-8.2.6-stateless-error] MUST answer a malformed request with 400 copying Via, From, To, Call-ID, CSeq and tagging To', () => {
    const r = answer(vector('mismatch01.dat'))!;
    expect(r.status).toBe(400);
    expect(r.reason).toMatch(
      /^Bad Request \(CSeq method INVITE does not match the request method OPTIONS\)$/,
    );
    expect(r.callId).toBe('mismatch01.dj0234sxdfl3');
    expect(r.cseq).toEqual({ seq: 8, method: 'INVITE' });
    expect(r.from.params.get('tag')).toBe('34525');
    expect(r.to.params.get('tag')).toMatch(/^[0-9a-f]{10}$/);
    expect(r.topVia.params.get('received')).toBe('192.0.2.200');
    expect(r.headers.has('warning')).toBe(false);
    expect(r.headers.get('content-length')).toBe('0');
  });

  it('[RFC4475-3.1.2.16-badvers-answer] MUST answer an unsupported SIP version with 505 even though the start line is at fault', () => {
    const r = answer(vector('badvers.dat'))!;
    expect(r.status).toBe(505);
    expect(r.reason).toBe('Version Not Supported (SIP version SIP/7.0 is not supported)');
    expect(r.callId).toBe('badvers.31417@c.example.com');
    expect(r.headers.get('via')).toContain('branch=z9hG4bKkdjuw');
  });

  it('[RFC4475-3.1.2.18-mismatch02-answer] answers an unknown method with CSeq mismatch with 501', () => {
    expect(answer(vector('mismatch02.dat'))?.status).toBe(501);
  });

  it('[RFC4475-3.1.2.1-badinv01-answer] copies a malformed Via verbatim so the client can still match the 400', () => {
    const frame = vector('badinv01.dat');
    const parsed = parseMessage(frame);
    if (parsed.ok) throw new Error('expected a fault');
    const r = faultResponse(parsed.fault, '192.0.2.200', 5070);
    expect(r?.status).toBe(400);
    const wire = serialize(r!).toString('latin1');
    expect(wire).toMatch(/^SIP\/2\.0 400 Bad Request \(Via parameters: empty parameter\)\r\n/);
    expect(wire).toContain('\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n');
    expect(wire).toContain('\r\nCall-ID: badinv01.0ha0isndaksdjasdf3234nas\r\n');
  });

  it('[RFC4475-3.1.2.19-drop-bad-response] MUST NOT answer a malformed response or a request without any Via', () => {
    expect(answer(vector('bigcode.dat'))).toBeUndefined();
    expect(
      answer(
        Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'),
      ),
    ).toBeUndefined();
  });

  it('keeps reason phrases within the Reason-Phrase grammar', () => {
    expect(reasonText('Via sent-protocol lacks "/"')).toBe("Via sent-protocol lacks '/'");
    expect(reasonText('Request-URI must not be enclosed in <> (RFC 3261 §19.1.1)\r\n')).toBe(
      'Request-URI must not be enclosed in () (RFC 3261 section 19.1.1)??',
    );
    expect(reasonText('x'.repeat(500))).toHaveLength(120);
  });
});

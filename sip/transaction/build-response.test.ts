import { describe, expect, it } from 'vitest';
import { buildResponse } from './build-response.ts';
import { wireRequest } from './transaction-harness.ts';

describe('response skeleton', () => {
  it('[RFC3261-8.2.6.2-response-headers] MUST copy every Via in order, From, To, Call-ID and CSeq, and tag a tagless To', () => {
    const req = wireRequest({
      method: 'INVITE',
      protocol: 'udp',
      headers: ['Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1', 'Subject: not copied', 'Timestamp: 3'],
    });
    const r = buildResponse(req, 486, 'Busy Here', 'abc');
    expect(r.status).toBe(486);
    expect(r.headers.values('via')).toEqual(req.headers.values('via'));
    expect(r.vias).toHaveLength(2);
    expect(r.headers.get('from')).toBe(req.headers.get('from'));
    expect(r.to.params.get('tag')).toBe('abc');
    expect(r.callId).toBe(req.callId);
    expect(r.cseq).toEqual(req.cseq);
    expect(r.headers.has('subject')).toBe(false);
    expect(r.headers.has('timestamp')).toBe(false); // only 100 (Trying) echoes the Timestamp
    const tagged = wireRequest({ method: 'BYE', protocol: 'udp', toTag: 'keep' });
    expect(buildResponse(tagged, 200, 'OK', 'new').to.params.get('tag')).toBe('keep');
    expect(() => buildResponse(req, 99, 'x')).toThrow(RangeError);
  });
});

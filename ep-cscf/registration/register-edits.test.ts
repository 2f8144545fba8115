import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest, type SipResponse } from '../../sip/index.ts';
import { editRegisterTowardCore, stripAkaKeys } from './register-edits.ts';

const REGISTER = [
  'REGISTER sip:ims.lab SIP/2.0',
  'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7',
  'Max-Forwards: 70',
  'To: <sip:alice@ims.lab>',
  'From: <sip:alice@ims.lab>;tag=a73kszlfl',
  'Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid',
  'CSeq: 1 REGISTER',
  'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;reg-id=1;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"',
  'Supported: outbound',
  'Require: sec-agree',
  'Proxy-Require: sec-agree',
  'Security-Client: tls',
  'Authorization: Digest username="alice@ims.lab",realm="ims.lab",nonce="",uri="sip:ims.lab",response=""',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function request(text: string): SipRequest {
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture');
  return r.message;
}

function response(text: string): SipResponse {
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok || r.message.kind !== 'response') throw new Error('bad fixture');
  return r.message;
}

const EDITS = {
  pathUri: 'sip:TOKEN@192.0.2.4:5060;lr',
  ob: true,
  visitedNetworkId: 'visited.example',
  icid: 'abc123',
  icidGeneratedAt: '192.0.2.4',
  integrity: 'tls-pending' as const,
};

describe('REGISTER toward the core (TS 24.229 §5.2.2.1)', () => {
  it('[RFC3327-4-path] adds our Path on top with the flow token and ob, and requires path', () => {
    const req = request(REGISTER);
    editRegisterTowardCore(req, EDITS);
    expect(req.headers.values('path')).toEqual(['<sip:TOKEN@192.0.2.4:5060;lr;ob>']);
    expect(req.headers.values('supported')).toEqual(['outbound', 'path']);
    expect(req.headers.values('require')).toEqual(['path']);
  });

  it('[TS24229-5.2.2.1-security-headers] removes Security-Client and sec-agree before the core', () => {
    const req = request(REGISTER);
    editRegisterTowardCore(req, EDITS);
    expect(req.headers.has('security-client')).toBe(false);
    expect(req.headers.has('proxy-require')).toBe(false);
    expect(req.headers.values('require')).not.toContain('sec-agree');
  });

  it('[RFC7315-4.3-p-visited-network-id] adds P-Visited-Network-ID and a P-Charging-Vector icid', () => {
    const req = request(REGISTER);
    editRegisterTowardCore(req, EDITS);
    expect(req.headers.get('p-visited-network-id')).toBe('visited.example');
    expect(req.headers.get('p-charging-vector')).toBe('icid-value=abc123;icid-generated-at=192.0.2.4');
  });

  it('[TS24229-5.2.2.1-integrity-protected-value] marks the Authorization with integrity-protected', () => {
    const req = request(REGISTER);
    editRegisterTowardCore(req, EDITS);
    expect(req.headers.get('authorization')).toMatch(/integrity-protected="tls-pending"/);
    expect(req.headers.get('authorization')).toMatch(/username="alice@ims.lab"/);
  });

  it('[TS24229-5.2.2.1-ck-ik] removes ck and ik from an AKA challenge before it reaches the client', () => {
    const res = response(
      [
        'SIP/2.0 401 Unauthorized',
        'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7',
        'To: <sip:alice@ims.lab>;tag=x',
        'From: <sip:alice@ims.lab>;tag=a73kszlfl',
        'Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid',
        'CSeq: 1 REGISTER',
        'WWW-Authenticate: Digest realm="ims.lab",nonce="bm9uY2U=",algorithm=AKAv1-MD5,qop="auth",ck="00112233445566778899aabbccddeeff",ik="ffeeddccbbaa99887766554433221100"',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect(stripAkaKeys(res)).toBe(true);
    const v = res.headers.get('www-authenticate')!;
    expect(v).not.toMatch(/\b(ck|ik)=/);
    expect(v).toMatch(/nonce="bm9uY2U="/);
    expect(v).toMatch(/algorithm=AKAv1-MD5/);
  });
});

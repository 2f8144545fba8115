import { describe, expect, it } from 'vitest';
import { SipHeaders, SipRequest } from '../../sip/index.ts';
import { readPoolRegister } from './pool-intent.ts';

function register(headers: Array<[string, string]>, vias = 1): SipRequest {
  const h = new SipHeaders();
  for (let i = 0; i < vias; i++) h.append('Via', `SIP/2.0/WS h${i}.invalid;branch=z9hG4bK${i}`);
  h.append('To', '<sip:anonymous@example.com>');
  h.append('From', '<sip:anonymous@example.com>;tag=1');
  h.append('Call-ID', 'c1');
  h.append('CSeq', '1 REGISTER');
  for (const [n, v] of headers) h.append(n, v);
  return new SipRequest('REGISTER', 'sip:example.com', h);
}

const OUTBOUND = '<sip:u@a.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1';

describe("reading the client's pool REGISTER (RFC 3261 §10.2, §10.3)", () => {
  it('[RFC3261-10.2-pool-intent] MUST read a registration: contacts to bind, the longest expiry asked for, outbound only with reg-id, +sip.instance and one Via', () => {
    const r = readPoolRegister(
      register([
        ['Contact', OUTBOUND],
        ['Expires', '600'],
      ]),
    );
    expect(r.ok && r.intent.kind === 'register' && [r.intent.expires, r.intent.outbound]).toEqual([
      600,
      true,
    ]);
    const two = readPoolRegister(register([['Contact', OUTBOUND]], 2));
    expect(two.ok && two.intent.kind === 'register' && two.intent.outbound).toBe(false);
    const dflt = readPoolRegister(register([['Contact', '<sip:u@a.invalid>']]));
    expect(dflt.ok && dflt.intent.kind === 'register' && [dflt.intent.expires, dflt.intent.outbound]).toEqual(
      [3600, false],
    );
    const param = readPoolRegister(
      register([
        ['Contact', '<sip:u@a.invalid>;expires=90'],
        ['Expires', '600'],
      ]),
    );
    expect(param.ok && param.intent.kind === 'register' && param.intent.expires).toBe(90);
  });

  it('[RFC3261-10.2-pool-intent] MUST read a removal (Expires 0 on every contact, or * with Expires 0) and a query (no Contact)', () => {
    const zero = readPoolRegister(
      register([
        ['Contact', OUTBOUND],
        ['Expires', '0'],
      ]),
    );
    expect(zero.ok && zero.intent.kind).toBe('remove');
    const star = readPoolRegister(
      register([
        ['Contact', '*'],
        ['Expires', '0'],
      ]),
    );
    expect(star.ok && star.intent.kind === 'remove' && star.intent.contacts).toBe('all');
    const query = readPoolRegister(register([]));
    expect(query.ok && query.intent.kind).toBe('query');
  });

  it('[RFC3261-10.2-pool-intent] MUST refuse with 400: * without Expires 0, a malformed Contact or Expires, a non-SIP To', () => {
    for (const headers of [
      [['Contact', '*']],
      [
        ['Contact', '*'],
        ['Expires', '60'],
      ],
      [
        ['Contact', '<sip:u@a.invalid'],
        ['Expires', '60'],
      ],
      [
        ['Contact', OUTBOUND],
        ['Expires', 'soon'],
      ],
    ] as Array<Array<[string, string]>>) {
      const r = readPoolRegister(register(headers));
      expect(r.ok).toBe(false);
      expect(!r.ok && r.status).toBe(400);
    }
    const tel = register([['Contact', OUTBOUND]]);
    tel.headers.set('To', '<tel:+15550100>');
    expect(readPoolRegister(tel).ok).toBe(false);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../../sip/index.ts';
import { passwordOf, RegisterClient, userOf } from './register-client.ts';
import { readResponse } from './sip-reader.ts';

/**
 * The benchmark's simulated client: what it sends must look like JsSIP's REGISTER, and its
 * digest answer must be the one RFC 2617 defines (checked here with plain MD5, not sip/auth).
 */

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function parseRequest(text: string): SipRequest {
  const r = parseMessage(Buffer.from(text, 'latin1'), { framing: 'datagram' });
  if (!r.ok) throw new Error(r.fault.reason);
  if (r.message.kind !== 'request') throw new Error('not a request');
  return r.message;
}

function response(req: SipRequest, status: string, extra: string[]): string {
  const h = req.headers;
  return [
    `SIP/2.0 ${status}`,
    `Via: ${h.get('via')}`,
    `From: ${h.get('from')}`,
    `To: ${h.get('to')};tag=core`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.cseq.seq} REGISTER`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('bench register client', () => {
  it('[DESIGN-speed-epcscf_client] sends a REGISTER shaped like JsSIP: .invalid Via host, ws Contact with reg-id and +sip.instance', () => {
    const c = new RegisterClient({ index: 7, domain: 'ims.test', transport: 'WS' });
    const req = parseRequest(c.begin(0));
    expect(req.method).toBe('REGISTER');
    expect(req.headers.get('via')).toMatch(/^SIP\/2\.0\/WS [0-9a-f]+\.invalid;branch=z9hG4bK\S+$/);
    expect(req.headers.get('to')).toBe(`<sip:${userOf(7)}@ims.test>`);
    expect(req.headers.get('contact')).toMatch(
      /^<sip:\w+@[0-9a-f]+\.invalid;transport=ws>;\+sip\.ice;reg-id=1;\+sip\.instance="<urn:uuid:[0-9a-f-]{36}>";expires=600$/,
    );
    expect(req.headers.get('supported')).toBe('path,gruu,outbound');
    expect(req.headers.get('authorization')).toBeUndefined();
  });

  it('[DESIGN-speed-epcscf_client] answers a 401 with the RFC 2617 digest, CSeq + 1 and the same Call-ID, and counts the 200 as registered', () => {
    const c = new RegisterClient({ index: 3, domain: 'ims.test', transport: 'WS' });
    const first = parseRequest(c.begin(10));
    const challenge = 'Digest realm="ims.test", nonce="abc123"';
    const facts = readResponse(response(first, '401 Unauthorized', [`WWW-Authenticate: ${challenge}`]));
    if (typeof facts === 'string') throw new Error(facts);
    const outcome = c.receive(facts, 12.5);
    if (outcome?.kind !== 'challenged') throw new Error(`expected a challenge, got ${outcome?.kind}`);
    expect(outcome.latencyMs).toBe(2.5);
    const second = parseRequest(outcome.next);
    expect(second.callId).toBe(first.callId);
    expect(second.cseq.seq).toBe(first.cseq.seq + 1);
    const auth = second.headers.get('authorization') ?? '';
    const ha1 = md5(`${userOf(3)}:ims.test:${passwordOf(3)}`);
    const expected = md5(`${ha1}:abc123:${md5('REGISTER:sip:ims.test')}`);
    expect(auth).toContain(`response="${expected}"`);
    expect(auth).toContain(`username="${userOf(3)}"`);

    const ok = readResponse(response(second, '200 OK', ['Service-Route: <sip:orig@127.0.0.1;lr>']));
    if (typeof ok === 'string') throw new Error(ok);
    expect(c.receive(ok, 20)).toEqual({ kind: 'registered', latencyMs: 7.5 });
    expect(c.phase).toBe('idle');
  });

  it('[DESIGN-speed-epcscf_client] counts a refused REGISTER or a 2xx without Service-Route as a failure and ignores stale responses', () => {
    const c = new RegisterClient({ index: 1, domain: 'ims.test', transport: 'WS' });
    const req = parseRequest(c.begin(0));
    const stale = readResponse(
      response(req, '200 OK', ['Service-Route: <sip:x;lr>']).replace(/CSeq: \d+/, 'CSeq: 99'),
    );
    if (typeof stale === 'string') throw new Error(stale);
    expect(c.receive(stale, 1)).toBeUndefined();
    const bare = readResponse(response(req, '200 OK', []));
    if (typeof bare === 'string') throw new Error(bare);
    expect(c.receive(bare, 1)).toMatchObject({ kind: 'failed', reason: '200 without Service-Route' });
    const again = parseRequest(c.begin(2));
    const refused = readResponse(response(again, '403 Forbidden', []));
    if (typeof refused === 'string') throw new Error(refused);
    expect(c.receive(refused, 3)).toMatchObject({ kind: 'failed', reason: '403 to the first REGISTER' });
    expect(readResponse('REGISTER sip:x SIP/2.0\r\n\r\n')).toMatch(/^not a response/);
  });
});

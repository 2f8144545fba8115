import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { checkProxyRequest, checkUasRequest, type UasCheckOptions } from './request-checks.ts';

const VECTORS = resolve(import.meta.dirname, '../../../shared/vectors/rfc4475');

function request(file: string): SipRequest {
  const r = parseMessage(readFileSync(resolve(VECTORS, file)));
  if (!r.ok) throw new Error(`${file}: ${r.fault.reason}`);
  if (r.message.kind !== 'request') throw new Error(`${file} is not a request`);
  return r.message;
}

const UAS: UasCheckOptions = {
  allow: new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER']),
  accept: new Set(['application/sdp']),
};

describe('proxy request checks (RFC 3261 §16.3)', () => {
  it('[RFC4475-3.2.1-badbranch] rejects a branch that is only the magic cookie with 400', () => {
    expect(checkProxyRequest(request('badbranch.dat'))?.status).toBe(400);
  });

  it('[RFC4475-3.3.2-unkscm] MUST answer 416 to a Request-URI scheme it cannot route on', () => {
    expect(checkProxyRequest(request('unkscm.dat'))?.status).toBe(416);
    expect(checkProxyRequest(request('novelsc.dat'))?.status).toBe(416);
  });

  it('[RFC4475-3.3.4-unksm2] treats non-SIP URIs in To/From/Contact normally when proxying', () => {
    expect(checkProxyRequest(request('unksm2.dat'))).toBeUndefined();
  });

  it('[RFC4475-3.3.5-bext01] MUST answer 420 listing the unsupported Proxy-Require tags', () => {
    const e = checkProxyRequest(request('bext01.dat'));
    expect(e?.status).toBe(420);
    expect(e?.headers).toEqual([['Unsupported', 'noProxiesSupportThis, norDoAnyProxiesSupportThis']]);
  });

  it('[RFC4475-3.3.11-zeromf] MUST NOT forward a request with Max-Forwards 0 (483)', () => {
    expect(checkProxyRequest(request('zeromf.dat'))?.status).toBe(483);
  });

  it('[RFC4475-3.3.6-invut] forwards an unknown Content-Type untouched', () => {
    expect(checkProxyRequest(request('invut.dat'))).toBeUndefined();
  });

  it('[RFC4475-3.3.7-regaut01] forwards an unknown Authorization scheme untouched', () => {
    const req = request('regaut01.dat');
    expect(checkProxyRequest(req)).toBeUndefined();
    expect(req.headers.get('authorization')).toMatch(/^NoOneKnowsThisScheme /);
  });
});

describe('UAS request checks (RFC 3261 §8.2)', () => {
  it('[RFC4475-3.1.1.2-intmeth] answers 501 to a method it does not know', () => {
    expect(checkUasRequest(request('intmeth.dat'), UAS)?.status).toBe(501);
    expect(checkUasRequest(request('esc02.dat'), UAS)?.status).toBe(501);
  });

  it('[RFC3261-8.2.1-405-allow] answers 405 with Allow to a known method it does not serve', () => {
    const e = checkUasRequest(request('bext01.dat'), { ...UAS, allow: new Set(['INVITE']) });
    expect(e?.status).toBe(405);
    expect(e?.headers).toEqual([['Allow', 'INVITE']]);
  });

  it('[RFC4475-3.3.5-bext01] MUST answer 420 listing the unsupported Require tags', () => {
    const e = checkUasRequest(request('bext01.dat'), UAS);
    expect(e?.status).toBe(420);
    expect(e?.headers).toEqual([['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
  });

  it('[RFC4475-3.3.6-invut] MUST answer 415 with Accept to a body type it does not understand', () => {
    const e = checkUasRequest(request('invut.dat'), UAS);
    expect(e?.status).toBe(415);
    expect(e?.headers).toEqual([['Accept', 'application/sdp']]);
  });

  it('[RFC4475-3.3.15-sdp01] answers 406 when Accept excludes every body type it can send', () => {
    expect(checkUasRequest(request('sdp01.dat'), UAS)?.status).toBe(406);
  });

  it('[RFC4475-3.3.4-unksm2] a registrar rejects a non-SIP address-of-record with 400', () => {
    const e = checkUasRequest(request('unksm2.dat'), { ...UAS, registrar: true });
    expect(e?.status).toBe(400);
  });

  it('[RFC4475-3.3.11-zeromf] a UAS processes Max-Forwards 0 normally', () => {
    expect(checkUasRequest(request('zeromf.dat'), UAS)).toBeUndefined();
  });

  it('[RFC4475-3.1.2.12-baddate] a UAS rejects a Date in a zone other than GMT', () => {
    expect(checkUasRequest(request('baddate.dat'), UAS)?.status).toBe(400);
  });

  it('[RFC4475-3.1.2.13-regbadct] a UAS rejects a Contact URI with headers outside <>', () => {
    expect(checkUasRequest(request('regbadct.dat'), { ...UAS, registrar: true })?.status).toBe(400);
  });

  it('[RFC4475-3.3.12-cparam01] accepts a REGISTER whose Contact carries a header parameter', () => {
    expect(checkUasRequest(request('cparam01.dat'), { ...UAS, registrar: true })).toBeUndefined();
    expect(checkUasRequest(request('cparam02.dat'), { ...UAS, registrar: true })).toBeUndefined();
    expect(checkUasRequest(request('regescrt.dat'), { ...UAS, registrar: true })).toBeUndefined();
  });
});

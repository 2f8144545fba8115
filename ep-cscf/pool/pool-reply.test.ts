import { describe, expect, it } from 'vitest';
import { parseBearerChallenge } from '../../sip/auth/index.ts';
import { type NameAddr, parseNameAddrList, SipHeaders, SipResponse } from '../../sip/index.ts';
import {
  associatedUrisFor,
  coreFailureAnswer,
  grantedExpires,
  intervalTooBriefAnswer,
  poolSuccessAnswer,
} from './pool-reply.ts';

function response(status: number, reason: string, headers: Array<[string, string]>): SipResponse {
  const h = new SipHeaders();
  for (const [n, v] of headers) h.append(n, v);
  return new SipResponse(status, reason, h);
}

function contacts(value: string): NameAddr[] {
  const r = parseNameAddrList(value);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

const MINE = contacts('<sip:u@a.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1');
const IMPU = 'sip:pool-2@ims.lab';

const OK = response(200, 'OK', [
  ['Contact', '<sip:u@a.invalid;transport=ws>;expires=300;+sip.instance="<urn:uuid:1>";reg-id=1'],
  ['Contact', '<sip:other@b.invalid;transport=ws>;expires=3600'],
  ['Service-Route', '<sip:orig@10.0.0.1:5060;lr>'],
  ['P-Associated-URI', '<tel:+15550102>'],
  ['P-Associated-URI', `<${IMPU}>`],
  ['Require', 'outbound'],
]);

describe("the client's answer for a pool registration (TS 33.203 Annex X.4)", () => {
  it('[RFC3261-10.3-pool-granted-expiry] MUST read the expiry the core granted to each client contact, 0 for one it does not list', () => {
    const both = [...MINE, ...contacts('<sip:gone@c.invalid;transport=ws>')];
    expect(grantedExpires(OK, both).map((g) => g.expires)).toEqual([300, 0]);
    const headerOnly = response(200, 'OK', [
      ['Contact', '<sip:u@a.invalid;transport=ws>'],
      ['Expires', '120'],
    ]);
    expect(grantedExpires(headerOnly, MINE).map((g) => g.expires)).toEqual([120]);
  });

  it('[TS33203-X.4-pool-identity-in-pau] MUST list the leased IMPU first in P-Associated-URI, keeping the others in order, and name it alone when the core sent none', () => {
    expect(associatedUrisFor(OK, IMPU)).toEqual([`<${IMPU}>`, '<tel:+15550102>']);
    expect(associatedUrisFor(response(200, 'OK', []), IMPU)).toEqual([`<${IMPU}>`]);
  });

  it('[TS33203-X.4-pool-identity-in-pau] MUST answer 200 with only its own contacts and their granted expiry, the leased identity first in P-Associated-URI, the Service-Route, and for outbound Require and Flow-Timer', () => {
    const a = poolSuccessAnswer({
      coreResponse: OK,
      impu: IMPU,
      granted: grantedExpires(OK, MINE),
      outbound: true,
      flowTimer: 120,
    });
    expect(a.status).toBe(200);
    expect(a.headers).toEqual([
      ['Contact', '<sip:u@a.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1;expires=300'],
      ['P-Associated-URI', `<${IMPU}>`],
      ['P-Associated-URI', '<tel:+15550102>'],
      ['Service-Route', '<sip:orig@10.0.0.1:5060;lr>'],
      ['Require', 'outbound'],
      ['Flow-Timer', '120'],
    ]);
  });

  it('[TS33203-X.4-pool-core-failure] MUST never pass the core challenge to the client: 504 for no answer, the 5xx with its Retry-After, 500 naming the core status otherwise', () => {
    const cases: Array<[SipResponse, number, RegExp, Array<[string, string]>]> = [
      [response(408, 'Request Timeout', []), 504, /no answer from the IMS core/, []],
      [
        response(503, 'Service Unavailable', [['Retry-After', '30']]),
        503,
        /IMS core/,
        [['Retry-After', '30']],
      ],
      [response(401, 'Unauthorized', [['WWW-Authenticate', 'Digest realm="x"']]), 500, /answered 401/, []],
      [response(403, 'Forbidden', []), 500, /answered 403/, []],
      [response(404, 'Not Found', []), 500, /answered 404/, []],
    ];
    for (const [res, status, reason, headers] of cases) {
      const a = coreFailureAnswer(res);
      expect(a.status).toBe(status);
      expect(a.reason).toMatch(reason);
      expect(a.headers).toEqual(headers);
    }
  });

  it('[RFC3261-10.3-pool-423] MUST pass 423 with Min-Expires when the client asked too little, and answer 401 Bearer invalid_token when the token ends before Min-Expires', () => {
    const res = response(423, 'Interval Too Brief', [['Min-Expires', '60']]);
    expect(intervalTooBriefAnswer(res, { requested: 30, tokenSecondsLeft: 3000, realm: 'ims.lab' })).toEqual({
      status: 423,
      reason: 'Interval Too Brief',
      headers: [['Min-Expires', '60']],
    });
    const late = intervalTooBriefAnswer(res, { requested: 600, tokenSecondsLeft: 40, realm: 'ims.lab' });
    expect(late.status).toBe(401);
    const challenge = parseBearerChallenge(late.headers[0]?.[1] ?? '');
    if (!challenge.ok) throw new Error('no Bearer challenge');
    expect(late.headers[0]?.[0]).toBe('WWW-Authenticate');
    expect(challenge.value.error).toBe('invalid_token');
    expect(challenge.value.realm).toBe('ims.lab');
  });
});

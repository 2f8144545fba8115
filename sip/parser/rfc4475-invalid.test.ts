import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFields, validateHeaders } from '../message/validate.ts';
import type { ParseFault } from './parse-fault.ts';
import { parseMessage } from './parse-message.ts';

/**
 * RFC 4475 §3.1.2: syntactically invalid messages. The parser must not break and must say
 * precisely what is wrong: the status a server answers with (400, 505, 501) or null when the
 * message is dropped (responses), the fault code and the header at fault. A request fault
 * carries the headers read so far, so that the server can build that response.
 */

const DIR = new URL('../../../shared/vectors/rfc4475/', import.meta.url);
const bytes = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR));

function fault(name: string, framing: 'datagram' | 'stream' = 'datagram'): ParseFault {
  const r = parseMessage(bytes(name), { framing });
  if (r.ok) throw new Error(`${name} parsed but must be rejected`);
  expect(r.fault.reason.length).toBeGreaterThan(0);
  return r.fault;
}

type Expected = Pick<ParseFault, 'status' | 'code'> & { header?: string };

function expectFault(
  name: string,
  expected: Expected,
  framing: 'datagram' | 'stream' = 'datagram',
): ParseFault {
  const f = fault(name, framing);
  expect({ status: f.status, code: f.code, header: f.header }).toEqual({ header: undefined, ...expected });
  return f;
}

/** The Call-ID the server's error response must echo (RFC 3261 §8.2.6.2). */
const partialCallId = (f: ParseFault): string | undefined => f.partial?.headers.get('call-id');

describe('RFC 4475 §3.1.2 invalid messages', () => {
  it('[RFC4475-3.1.2.1-badinv01] MUST reject empty Via and Contact parameters with 400', () => {
    const f = expectFault('badinv01', { status: 400, code: 'header-value', header: 'Via' });
    expect(f.line).toBe(7);
    expect(partialCallId(f)).toBe('badinv01.0ha0isndaksdjasdf3234nas');
    // the Contact ";;;;" is just as wrong, and the header checks see it
    expect(validateFields(f.partial!.headers).map((x) => x.header)).toEqual(['Contact']);
  });

  it('[RFC4475-3.1.2.2-clerr] MUST answer 400 when Content-Length exceeds the datagram', () => {
    const f = expectFault('clerr', { status: 400, code: 'content-length', header: 'Content-Length' });
    expect(f.reason).toContain('9999');
    expect(partialCallId(f)).toBe('clerr.0ha0isndaksdjweiafasdk3');
    expectFault('clerr', { status: 400, code: 'content-length', header: 'Content-Length' }, 'stream');
  });

  it('[RFC4475-3.1.2.3-ncl] MUST reject a negative Content-Length, never using it as a length', () => {
    const f = expectFault('ncl', { status: 400, code: 'content-length', header: 'Content-Length' });
    expect(f.reason).toContain('-999');
    expect(f.line).toBe(10);
    expectFault('ncl', { status: 400, code: 'content-length', header: 'Content-Length' }, 'stream');
  });

  it('[RFC4475-3.1.2.4-scalar02] MUST answer 400 to a CSeq above 2^31-1', () => {
    const f = expectFault('scalar02', { status: 400, code: 'header-value', header: 'CSeq' });
    expect(f.reason).toContain('36893488147419103232');
    expect(partialCallId(f)).toBe('scalar02.23o0pd9vanlq3wnrlnewofjas9ui32');
  });

  it('[RFC4475-3.1.2.5-scalarlg] MUST drop a response with overlarge scalar values', () => {
    const f = expectFault('scalarlg', { status: null, code: 'header-value', header: 'CSeq' });
    expect(f.partial).toBeUndefined();
  });

  it('[RFC4475-3.1.2.6-quotbal] MUST answer 400 to an unterminated quoted display name', () => {
    const f = expectFault('quotbal', { status: 400, code: 'header-value', header: 'To' });
    expect(f.line).toBe(2);
    expect(partialCallId(f)).toBe('quotbal.aksdj');
  });

  it('[RFC4475-3.1.2.7-ltgtruri] MUST answer 400 to a Request-URI enclosed in <>', () => {
    const f = expectFault('ltgtruri', { status: 400, code: 'request-uri' });
    expect(f.line).toBe(1);
    expect(partialCallId(f)).toBe('ltgtruri.1@192.0.2.5');
  });

  it('[RFC4475-3.1.2.8-lwsruri] MUST answer 400 to whitespace inside the Request-URI', () => {
    const f = expectFault('lwsruri', { status: 400, code: 'request-uri' });
    expect(f.reason).toContain('whitespace');
    expect(partialCallId(f)).toBe('lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423');
  });

  it('[RFC4475-3.1.2.9-lwsstart] rejects several SP between request-line elements with 400', () => {
    const f = expectFault('lwsstart', { status: 400, code: 'start-line' });
    expect(f.reason).toContain('more than one SP');
    expect(partialCallId(f)).toBe('lwsstart.dfknq234oi243099adsdfnawe3@example.com');
  });

  it('[RFC4475-3.1.2.10-trws] rejects SP at the end of the request line with 400', () => {
    const f = expectFault('trws', { status: 400, code: 'start-line' });
    expect(f.reason).toContain('end of the request line');
    expect(partialCallId(f)).toBe('trws.oicu34958239neffasdhr2345r');
  });

  it('[RFC4475-3.1.2.11-escruri] rejects escaped headers in the Request-URI with 400', () => {
    const f = expectFault('escruri', { status: 400, code: 'request-uri' });
    expect(f.partial?.headers.has('route')).toBe(false);
    expect(partialCallId(f)).toBe('escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5');
  });

  it('[RFC4475-3.1.2.12-baddate] parses a Date in EST, and the header check reports it as not GMT', () => {
    const r = parseMessage(bytes('baddate'));
    if (!r.ok) throw new Error(r.fault.reason);
    expect(r.message.headers.get('date')).toBe('Fri, 01 Jan 2010 16:00:00 EST');
    const faults = validateHeaders(r.message);
    expect(faults.map((x) => x.header)).toEqual(['Date']);
    expect(faults[0]?.reason).toContain('EST');
  });

  it('[RFC4475-3.1.2.13-regbadct] parses, and the Contact check reports a URI with headers outside <>', () => {
    const r = parseMessage(bytes('regbadct'));
    if (!r.ok) throw new Error(r.fault.reason);
    expect(validateHeaders(r.message).map((x) => x.header)).toEqual(['Contact']);
    expect(typeof r.message.contacts()).toBe('string');
  });

  it('[RFC4475-3.1.2.14-badaspec] MUST answer 400 to spaces inside <> around an addr-spec', () => {
    const f = expectFault('badaspec', { status: 400, code: 'header-value', header: 'To' });
    expect(f.line).toBe(5);
  });

  it('[RFC4475-3.1.2.15-baddn] MUST answer 400 to an unquoted display name with non-token characters', () => {
    // the archive file also lacks the empty line; the display name is the more precise fault
    const f = expectFault('baddn', { status: 400, code: 'header-value', header: 'From' });
    expect(f.line).toBe(4);
    expect(partialCallId(f)).toBe('baddn.31415@c.example.com');
    expectFault('baddn', { status: null, code: 'not-terminated' }, 'stream');
  });

  it('[RFC4475-3.1.2.16-badvers] MUST answer 505 to SIP/7.0, with the headers needed for the response', () => {
    const f = expectFault('badvers', { status: 505, code: 'version' });
    expect(partialCallId(f)).toBe('badvers.31417@c.example.com');
    expect(f.partial?.headers.get('cseq')).toBe('1 OPTIONS');
    expect(f.partial?.headers.count('via')).toBe(1);
  });

  it('[RFC4475-3.1.2.17-mismatch01] MUST answer 400 when the CSeq method differs from the request method', () => {
    const f = expectFault('mismatch01', { status: 400, code: 'cseq-mismatch', header: 'CSeq' });
    expect(f.line).toBe(6);
    expect(partialCallId(f)).toBe('mismatch01.dj0234sxdfl3');
  });

  it('[RFC4475-3.1.2.18-mismatch02] answers 501 (preferred over 400) to an unknown method with a CSeq mismatch', () => {
    const f = expectFault('mismatch02', { status: 501, code: 'cseq-mismatch', header: 'CSeq' });
    expect(f.partial?.method).toBe('NEWMETHOD');
  });

  it('[RFC4475-3.1.2.19-bigcode] MUST drop a response whose status code is above 699', () => {
    const f = expectFault('bigcode', { status: null, code: 'status-code' });
    expect(f.partial).toBeUndefined();
  });
});

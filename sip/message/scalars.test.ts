import { describe, expect, it } from 'vitest';
import {
  isCallId,
  parseContentLength,
  parseCSeq,
  parseExpires,
  parseMaxForwards,
  parseSipDate,
  parseTokenList,
} from './scalars.ts';

describe('scalar header values', () => {
  it('[RFC3261-20.16-cseq] reads the sequence number and method, allowing leading zeros and LWS', () => {
    expect(parseCSeq('4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq('0009 \t INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('2147483647 ACK')).toEqual({ seq: 2 ** 31 - 1, method: 'ACK' });
    expect(parseCSeq("1 !interesting-Method0123456789_*+`.%indeed'~")).toMatchObject({ seq: 1 });
  });

  it('[RFC3261-20.16-cseq] rejects a number of 2^31 or more, a missing number, LWS or method', () => {
    expect(parseCSeq('2147483648 INVITE')).toContain('2^31');
    expect(parseCSeq('36893488147419103232 REGISTER')).toContain('2^31');
    expect(parseCSeq('INVITE')).toContain('sequence number');
    expect(parseCSeq('1INVITE')).toContain('whitespace');
    expect(parseCSeq('1 ')).toContain('not a token');
    expect(parseCSeq('-1 INVITE')).toContain('sequence number');
    expect(parseCSeq('1 INV ITE')).toContain('not a token');
  });

  it('[RFC3261-20.22-max-forwards] accepts 0 to 255 with leading zeros and rejects the rest', () => {
    expect(parseMaxForwards('0')).toBe(0);
    expect(parseMaxForwards('0068')).toBe(68);
    expect(parseMaxForwards('255')).toBe(255);
    expect(parseMaxForwards('256')).toContain('255');
    expect(parseMaxForwards('300')).toContain('255');
    expect(parseMaxForwards('')).toContain('integer');
    expect(parseMaxForwards('7a')).toContain('integer');
    expect(parseMaxForwards('-1')).toContain('integer');
  });

  it('[RFC3261-20.14-content-length] accepts only a non-negative decimal number', () => {
    expect(parseContentLength('0')).toBe(0);
    expect(parseContentLength('150')).toBe(150);
    expect(parseContentLength('-999')).toContain('-999');
    expect(parseContentLength('1 0')).toContain('integer');
    expect(parseContentLength('+5')).toContain('integer');
    expect(parseContentLength('99999999999999999999')).toContain('exceeds');
  });

  it('[RFC3261-20.19-expires] reads delta-seconds and caps values above 2^32-1', () => {
    expect(parseExpires('3600')).toBe(3600);
    expect(parseExpires('0')).toBe(0);
    expect(parseExpires('1'.padEnd(100, '0'))).toBe(2 ** 32 - 1);
    expect(parseExpires('soon')).toContain('delta-seconds');
  });

  it('[RFC3261-25.1-call-id] accepts word["@"word] and nothing else', () => {
    expect(isCallId('f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com')).toBe(true);
    expect(isCallId('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{')).toBe(true);
    expect(isCallId('3439550946_1333397176@2409:8100:2d90:125b:60f7:edff:fef7:b9ac')).toBe(true);
    expect(isCallId('')).toBe(false);
    expect(isCallId('a b')).toBe(false);
    expect(isCallId('@host')).toBe(false);
    expect(isCallId('id@')).toBe(false);
    expect(isCallId('a@b@c')).toBe(false);
    expect(isCallId('semi;colon')).toBe(false);
  });

  it('[RFC3261-20.17-date] accepts an RFC 1123 date in GMT only', () => {
    expect(parseSipDate('Sat, 13 Nov 2010 23:29:00 GMT')).toBe(Date.UTC(2010, 10, 13, 23, 29, 0));
    expect(parseSipDate('Fri, 01 Jan 2010 16:00:00 EST')).toContain('EST');
    expect(parseSipDate('Fri, 1 Jan 2010 16:00:00 GMT')).toContain('RFC 1123');
    expect(parseSipDate('Xyz, 01 Jan 2010 16:00:00 GMT')).toContain('weekday');
    expect(parseSipDate('Fri, 01 Foo 2010 16:00:00 GMT')).toContain('month');
  });

  it('[RFC3261-20.32-option-tags] reads option-tag lists and rejects non-tokens', () => {
    expect(parseTokenList(['100rel', 'precondition'])).toEqual(['100rel', 'precondition']);
    expect(parseTokenList([''])).toEqual([]);
    expect(parseTokenList(['sec-agree', 'a b'])).toContain("'a b'");
    expect(parseTokenList(['ok', ''])).toContain("''");
  });
});

import { describe, expect, it } from 'vitest';
import { asDict, BencodeError, type BencodeErrorCode, bdecode, bencode } from './bencode.ts';

const b = (text: string) => Buffer.from(text, 'latin1');

function faultOf(
  input: Buffer,
  limits?: { maxBytes?: number; maxDepth?: number },
): BencodeErrorCode | undefined {
  try {
    bdecode(input, limits);
    return undefined;
  } catch (error) {
    if (error instanceof BencodeError) return error.code;
    throw error;
  }
}

describe('bencode codec (NG protocol encoding)', () => {
  it('[RTPENGINE-ng-bencode-roundtrip] MUST encode integers, UTF-8 strings, lists and dictionaries and decode them back unchanged', () => {
    const value = {
      command: 'offer',
      'call-id': 'a84b4c76e66710@pc33.atlanta.example.com',
      sdp: 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=é\r\n',
      flags: ['trust address', 'generate mid'],
      codec: { transcode: ['PCMA', 'PCMU'] },
      limit: 32,
      negative: -7,
      empty: '',
      nested: [[], {}, [0]],
    };
    expect(bdecode(bencode(value))).toEqual(value);
    expect(bencode({ command: 'ping' }).toString()).toBe('d7:command4:pinge');
    // Byte length, not character count: "é" is two bytes.
    expect(bencode('é').toString('latin1')).toBe('2:\u00c3\u00a9');
  });

  it('[RTPENGINE-ng-bencode-canonical] MUST write dictionary keys sorted by their bytes and leave out undefined values', () => {
    expect(bencode({ zeta: 1, alpha: 2, Beta: 3, skipped: undefined }).toString()).toBe(
      'd4:Betai3e5:alphai2e4:zetai1ee',
    );
    expect(bencode(new Uint8Array([0, 255]))).toEqual(Buffer.from([0x32, 0x3a, 0, 255]));
  });

  it('[RTPENGINE-ng-bencode-unsorted-keys] MUST accept the unsorted dictionary keys rtpengine sends', () => {
    expect(bdecode(b('d6:result2:ok3:sdp3:v=0e'))).toEqual({ result: 'ok', sdp: 'v=0' });
    expect(bdecode(b('d3:sdp3:v=06:result2:oke'))).toEqual({ result: 'ok', sdp: 'v=0' });
  });

  it('[RTPENGINE-ng-bencode-strict] MUST refuse malformed input with a typed error naming the fault', () => {
    const cases: [string, BencodeErrorCode][] = [
      ['', 'truncated'],
      ['i42', 'truncated'],
      ['i042e', 'bad-integer'],
      ['i-0e', 'bad-integer'],
      ['ie', 'bad-integer'],
      ['i1.5e', 'bad-integer'],
      ['i99999999999999999999e', 'bad-integer'],
      ['05:hello', 'bad-length'],
      ['5:hey', 'truncated'],
      ['-3:abc', 'unexpected-byte'],
      ['l1:a', 'truncated'],
      ['di1e1:ae', 'bad-key'],
      ['d1:ai1e1:ai2ee', 'duplicate-key'],
      ['i1ei2e', 'trailing-bytes'],
      ['x', 'unexpected-byte'],
    ];
    for (const [input, code] of cases) expect([input, faultOf(b(input))]).toEqual([input, code]);
    expect(faultOf(Buffer.from([0x32, 0x3a, 0xc3, 0x28]))).toBe('invalid-utf8');
  });

  it('[RTPENGINE-ng-bencode-bounds] MUST refuse input larger than maxBytes or nested deeper than maxDepth', () => {
    expect(faultOf(b(`${'l'.repeat(40)}${'e'.repeat(40)}`))).toBe('too-deep');
    expect(faultOf(b('llee'), { maxDepth: 1 })).toBe('too-deep');
    expect(faultOf(b('llee'), { maxDepth: 2 })).toBeUndefined();
    expect(faultOf(b('5:hello'), { maxBytes: 6 })).toBe('too-large');
    expect(faultOf(Buffer.alloc(70_000, 0x30))).toBe('too-large');
    expect(() => bencode(1.5)).toThrow(BencodeError);
    expect(() => bencode(2 ** 60)).toThrow(BencodeError);
  });

  it('[RTPENGINE-ng-bencode-proto-keys] MUST treat keys like __proto__ as ordinary keys', () => {
    const decoded = asDict(bdecode(b('d9:__proto__d7:pollutei1ee11:constructori2ee')));
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ pollute: 1 });
    expect(decoded?.constructor).toBe(2);
    expect(({} as Record<string, unknown>).pollute).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { quote, scanQuoted, splitList } from './quoted.ts';

describe('quoted-string (RFC 3261 §25.1)', () => {
  it('[RFC3261-25.1-quoted-string] unescapes quoted-pairs, including NUL, BEL and DEL', () => {
    const folded = '"J Rosenberg \\\\\\""  <sip:x>';
    expect(scanQuoted(folded, 0)).toEqual({ end: folded.indexOf('  <'), value: 'J Rosenberg \\"' });
    expect(scanQuoted('"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f"', 0)?.value).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(scanQuoted('x""', 1)).toEqual({ end: 3, value: '' });
  });

  it('[RFC3261-25.1-quoted-string] rejects an unterminated string and CR/LF inside it', () => {
    expect(scanQuoted('"open', 0)).toBeUndefined();
    expect(scanQuoted('"ends with backslash\\"', 0)).toBeUndefined();
    expect(scanQuoted('"a\r\nb"', 0)).toBeUndefined();
    expect(scanQuoted('"a\\\nb"', 0)).toBeUndefined();
  });

  it('[RFC3261-25.1-quoted-string] quotes a value, escaping quote and backslash', () => {
    expect(quote('Alice')).toBe('"Alice"');
    expect(quote('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
    const q = quote('a"b\\c');
    expect(scanQuoted(q, 0)?.value).toBe('a"b\\c');
  });

  it('[RFC3261-7.3.1-list-values] splits on commas outside quoted strings and <>, trimming', () => {
    expect(splitList(' a , "b, \\"c" ,<sip:d,e@f>;x="1,2",g ')).toEqual([
      'a',
      '"b, \\"c"',
      '<sip:d,e@f>;x="1,2"',
      'g',
    ]);
    expect(splitList('single')).toEqual(['single']);
    expect(splitList('"unterminated, x')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isEscapedIn, isToken, PARAMCHAR, PASSWORD, skipWs, trimWs, USER } from './chars.ts';

describe('character classes (RFC 3261 §25.1)', () => {
  it('[RFC3261-25.1-token] accepts every token character and nothing else', () => {
    expect(isToken("!interesting-Method0123456789_*+`.%indeed'~")).toBe(true);
    expect(isToken('INVITE')).toBe(true);
    for (const bad of ['', 'a b', 'a:b', 'a;b', 'a"b', 'a<b', 'a/b', 'a@b', 'é', 'a\tb', 'a(b'])
      expect(isToken(bad)).toBe(false);
  });

  it('[RFC3261-19.1.2-escaping] checks escapes and the user, password and paramchar classes', () => {
    expect(isEscapedIn(USER, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")).toBe(true);
    expect(isEscapedIn(USER, 'null-%00-null')).toBe(true);
    expect(isEscapedIn(USER, 'a%2')).toBe(false);
    expect(isEscapedIn(USER, 'a%g0')).toBe(false);
    expect(isEscapedIn(USER, 'a:b')).toBe(false);
    expect(isEscapedIn(USER, '')).toBe(false);
    expect(isEscapedIn(PASSWORD, '', true)).toBe(true);
    expect(isEscapedIn(PASSWORD, 'p;w')).toBe(false);
    expect(isEscapedIn(PARAMCHAR, '[2001:db8::1]')).toBe(true);
    expect(isEscapedIn(PARAMCHAR, 'a=b')).toBe(false);
  });

  it('[RFC3261-25.1-token] skips and trims SP and HTAB only', () => {
    expect(skipWs(' \t x', 0)).toBe(3);
    expect(trimWs(' \t a b \t')).toBe('a b');
    const s = 'untouched';
    expect(trimWs(s)).toBe(s);
    expect(trimWs('\r\na\r\n')).toBe('\r\na\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { Params, parseGenericParams } from './params.ts';

function params(s: string): Params {
  const r = parseGenericParams(s, 0);
  if (typeof r === 'string') throw new Error(`${s}: ${r}`);
  return r.params;
}

function fault(s: string): string {
  const r = parseGenericParams(s, 0);
  if (typeof r !== 'string') throw new Error(`${s} must be rejected`);
  return r;
}

describe('generic-param (RFC 3261 §7.3.1, §25.1)', () => {
  it('[RFC3261-25.1-generic-param] reads token, host and quoted-string values and flags, in order', () => {
    const p = params(';tag=a6c85cf;lr;maddr=192.0.2.1;x="quoted; value, here";received=[2001:db8::9:255]');
    expect(p.entries()).toEqual([
      ['tag', 'a6c85cf'],
      ['lr', null],
      ['maddr', '192.0.2.1'],
      ['x', '"quoted; value, here"'],
      ['received', '[2001:db8::9:255]'],
    ]);
    expect(p.value('x')).toBe('quoted; value, here');
    expect(p.value('lr')).toBeUndefined();
    expect(p.size).toBe(5);
  });

  it('[RFC3261-25.1-generic-param] allows LWS around ";" and "=", and stops at a list comma', () => {
    const text = '  ;  tag   =  1918181833n ; q = 0.33 , <sip:next>';
    const r = parseGenericParams(text, 0);
    if (typeof r === 'string') throw new Error(r);
    expect(r.params.entries()).toEqual([
      ['tag', '1918181833n'],
      ['q', '0.33'],
    ]);
    expect(r.end).toBe(text.indexOf(','));
  });

  it('[RFC3261-25.1-generic-param] accepts an IPv6 address without brackets as a value', () => {
    expect(params(';received=2001:db8::9:255').get('received')).toBe('2001:db8::9:255');
  });

  it('[RFC3261-25.1-generic-param] rejects empty parameters, non-token names and bad values', () => {
    expect(fault(';;')).toContain('empty parameter');
    expect(fault(';a=')).toContain("'a'");
    expect(fault(';a="open')).toContain('unterminated');
    expect(fault(';a=[::1')).toContain("'a'");
    expect(fault(';a=b c')).toContain("';'");
    expect(fault('x')).toContain("';'");
    expect(fault(';a@b=1')).toContain('token');
  });

  it('[RFC3261-7.3.1-param-names] compares names case-insensitively and keeps values as written', () => {
    const p = params(';Tag=AbC;LR');
    expect(p.get('tag')).toBe('AbC');
    expect(p.has('lr')).toBe(true);
    p.set('TAG', 'new');
    p.set('branch', 'z9hG4bK1');
    expect(p.toString()).toBe(';Tag=new;LR;branch=z9hG4bK1');
    expect(p.delete('lr')).toBe(true);
    expect(p.delete('lr')).toBe(false);
    const c = p.clone();
    c.set('tag', 'other');
    expect(p.get('tag')).toBe('new');
    expect(c.toString()).toBe(';Tag=other;branch=z9hG4bK1');
  });

  it('[RFC3261-7.3.1-param-names] parameters located in the parsed text read, change and copy like built ones', () => {
    const located = params(';Tag=AbC;LR;x="q;v"');
    const built = new Params();
    for (const [n, v] of [
      ['Tag', 'AbC'],
      ['LR', null],
      ['x', '"q;v"'],
    ] as const)
      built.set(n, v);
    for (const p of [located, built]) {
      expect([p.size, p.get('tag'), p.get('lr'), p.has('LR'), p.value('X'), p.get('y')]).toEqual([
        3,
        'AbC',
        null,
        true,
        'q;v',
        undefined,
      ]);
      expect(p.toString()).toBe(';Tag=AbC;LR;x="q;v"');
      const c = p.clone();
      c.set('tag', 'other');
      c.delete('x');
      expect([p.toString(), c.toString()]).toEqual([';Tag=AbC;LR;x="q;v"', ';Tag=other;LR']);
      expect([p.names, p.values]).toEqual([
        ['Tag', 'LR', 'x'],
        ['AbC', null, '"q;v"'],
      ]);
    }
    expect(params(';tag=1').get('t\u0100g')).toBeUndefined();
    expect(JSON.stringify(params(';a=1;b'))).toBe('{"names":["a","b"],"values":["1",null]}');
  });
});

import { describe, expect, it } from 'vitest';
import { type Params, parseGenericParams } from './params.ts';

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
});

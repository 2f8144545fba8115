import { describe, expect, it } from 'vitest';
import { effectiveCapabilities } from './capabilities.ts';

describe('effective capabilities (Sippo wac rule)', () => {
  it('[SIPPO-caps-intersection] MUST grant only the enabled services the signalling stack supports', () => {
    expect(effectiveCapabilities({ services: ['call', 'message', 'chat', 'fax'] })).toEqual([
      'call',
      'message',
    ]);
    expect(effectiveCapabilities({ services: ['call', 'chat'], supported: ['call', 'chat'] })).toEqual([
      'call',
      'chat',
    ]);
    expect(effectiveCapabilities({ services: [] })).toEqual([]);
  });

  it('[SIPPO-caps-forced] MUST add forced capabilities (+name) even when no service offers them', () => {
    expect(effectiveCapabilities({ services: ['call'], subscriberRules: ['+video', '+whiteboard'] })).toEqual(
      ['call', 'video', 'whiteboard'],
    );
  });

  it('[WWSF-caps-allowed] MUST narrow the set to the bare names of a rule list before its forced and pruned ones apply', () => {
    const services = ['call', 'video', 'message'];
    expect(effectiveCapabilities({ services, domainRules: ['call', 'message'] })).toEqual([
      'call',
      'message',
    ]);
    expect(effectiveCapabilities({ services: ['call'], domainRules: ['call', 'message'] })).toEqual(['call']);
    expect(effectiveCapabilities({ services, subscriberRules: ['call', '+whiteboard', '-call'] })).toEqual([
      'whiteboard',
    ]);
  });

  it('[SIPPO-caps-pruned] MUST remove pruned capabilities (-name), after the forced ones are added', () => {
    expect(
      effectiveCapabilities({
        services: ['call', 'video', 'message'],
        subscriberRules: ['-video', '+video'],
      }),
    ).toEqual(['call', 'message']);
    expect(effectiveCapabilities({ services: ['call'], subscriberRules: ['-message'] })).toEqual(['call']);
  });

  it('[SIPPO-caps-precedence] MUST apply the domain rules first and the subscriber rules after them', () => {
    const services = ['call', 'video', 'message'];
    expect(effectiveCapabilities({ services, domainRules: ['-video'] })).toEqual(['call', 'message']);
    expect(effectiveCapabilities({ services, domainRules: ['-video'], subscriberRules: ['+video'] })).toEqual(
      ['call', 'message', 'video'],
    );
    expect(
      effectiveCapabilities({ services, domainRules: ['+chat'], subscriberRules: ['-chat', '-call'] }),
    ).toEqual(['message', 'video']);
  });

  it('throws on a malformed rule (the SAPI refuses them before they are stored)', () => {
    expect(() => effectiveCapabilities({ services: [], subscriberRules: ['+'] })).toThrow(/capability rule/);
    expect(() => effectiveCapabilities({ services: [], domainRules: ['Call'] })).toThrow(/capability rule/);
  });
});

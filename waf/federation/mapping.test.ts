import { describe, expect, it } from 'vitest';
import { upstreamName } from './mapping.ts';

describe('upstream claim mapping', () => {
  it.each([
    [{ email: 'Dave@Example.com' }, undefined, { user: 'dave', domain: 'example.com' }],
    [{ email: 'dave@example.com', email_verified: false }, undefined, undefined],
    [{ preferred_username: 'dave@example.org' }, undefined, { user: 'dave', domain: 'example.org' }],
    [{ preferred_username: 'dave' }, undefined, undefined],
    [
      { preferred_username: 'dave', email: 'd.x@corp.example' },
      'example.com',
      { user: 'dave', domain: 'example.com' },
    ],
    [{ email: 'd.x@corp.example' }, 'example.com', { user: 'd.x', domain: 'example.com' }],
    [{ email: '<x>@corp.example' }, 'example.com', undefined],
    [{ sub: 'only' }, 'example.com', undefined],
  ])(
    '[WAF-federation-mapping] MUST map upstream claims %j with forced domain %s to %j',
    (claims, forced, expected) => {
      expect(upstreamName(claims, forced)).toEqual(expected);
    },
  );
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTurnUrl, parseIceUrl, turnCredentials } from './turn-credentials.ts';

const base = { secret: 'north-secret', ttlSeconds: 3600, user: 'alice', urls: ['turn:127.0.0.1:3478'] };

describe('TURN REST API credentials', () => {
  it('[TURNREST-2.2-username] MUST put the expiry (issue time + ttl, in seconds) before the user, separated by a colon', () => {
    const c = turnCredentials({ ...base, now: 1_700_000_000_999 });
    expect(c.username).toBe('1700003600:alice');
    expect(c.expiresAt).toBe(1_700_003_600);
    expect(c.ttl).toBe(3600);
    expect(c.urls).toEqual(['turn:127.0.0.1:3478']);
  });

  it('[TURNREST-2.2-password] MUST make the password base64(HMAC-SHA1(secret, username))', () => {
    // Reference value from `printf '%s' 1700003600:alice | openssl dgst -sha1 -hmac north-secret -binary | base64`.
    const c = turnCredentials({ ...base, now: 1_700_000_000_000 });
    expect(c.credential).toBe('Ji4axghh2/aljHmsPgH9mtDGVLw=');
    const other = turnCredentials({ ...base, secret: 'south-secret', now: 1_700_000_000_000 });
    expect(other.credential).not.toBe(c.credential);
    expect(other.credential).toBe(
      createHmac('sha1', 'south-secret').update('1700003600:alice').digest('base64'),
    );
  });

  it('[TURNREST-2.2-per-client] MUST give different clients and different issue times different credentials', () => {
    const a = turnCredentials({ ...base, now: 1_700_000_000_000 });
    const b = turnCredentials({ ...base, user: 'bob', now: 1_700_000_000_000 });
    const later = turnCredentials({ ...base, now: 1_700_000_060_000 });
    expect(new Set([a.credential, b.credential, later.credential]).size).toBe(3);
    expect(later.username).toBe('1700003660:alice');
  });

  it('refuses an empty secret, an empty user or a non-positive ttl (programming mistakes)', () => {
    expect(() => turnCredentials({ ...base, secret: '', now: 0 })).toThrow(/secret/);
    expect(() => turnCredentials({ ...base, user: '', now: 0 })).toThrow(/user/);
    expect(() => turnCredentials({ ...base, ttlSeconds: 0, now: 0 })).toThrow(/ttlSeconds/);
    expect(() => turnCredentials({ ...base, ttlSeconds: 1.5, now: 0 })).toThrow(/ttlSeconds/);
  });
});

describe('STUN/TURN URIs (RFC 7064, RFC 7065)', () => {
  it.each([
    ['stun:stun.example.com', 'stun', 'stun.example.com', undefined, undefined],
    ['stuns:stun.example.com:5349', 'stuns', 'stun.example.com', 5349, undefined],
    ['turn:127.0.0.1:3478?transport=udp', 'turn', '127.0.0.1', 3478, 'udp'],
    ['turns:turn.example.com?transport=tcp', 'turns', 'turn.example.com', undefined, 'tcp'],
    ['turn:[::1]:3478', 'turn', '[::1]', 3478, undefined],
  ])('reads %s', (text, scheme, host, port, transport) => {
    expect(parseIceUrl(text)).toEqual({ scheme, host, port, transport, text });
  });

  it.each([
    'http://turn.example.com',
    'turn:',
    'turn:host:70000',
    'turn:host?transport=sctp',
    'stun:host?transport=udp',
    'turn://host:3478',
    'turn:ho st',
  ])('refuses %s', (text) => {
    expect(parseIceUrl(text)).toBeUndefined();
  });

  it('tells TURN URLs (which need a credential) from STUN ones', () => {
    const turn = parseIceUrl('turns:t.example.com');
    const stun = parseIceUrl('stun:t.example.com');
    expect(turn && isTurnUrl(turn)).toBe(true);
    expect(stun && isTurnUrl(stun)).toBe(false);
  });
});

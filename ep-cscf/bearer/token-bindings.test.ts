import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../sip/clock/clock.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import type { ActiveCheck } from '../../token/validator.ts';
import { type TokenBinding, TokenBindings, type TokenEndReason } from './token-bindings.ts';

const BASE = 1_700_000_000_000;
const logger = pino({ level: 'silent' });

function token(jti: string, expiresInSec: number, subject = 'alice'): ImsAccessToken {
  return {
    issuer: 'https://waf.test/oauth',
    subject,
    audience: ['urn:webrtc-ims:ep-cscf'],
    clientId: 'wic',
    tokenId: jti,
    issuedAt: BASE / 1000,
    expiresAt: BASE / 1000 + expiresInSec,
    notBefore: undefined,
    scopes: ['ims'],
    identity: { kind: 'subscriber', domain: 'ims.test', impu: 'sip:alice@ims.test', impi: 'alice@ims.test' },
    capabilities: ['call'],
    role: 'user',
  };
}

function binding(
  t: ImsAccessToken,
  contact = 'sip:a@x.invalid;transport=ws',
  raw = `raw-${t.tokenId}`,
): TokenBinding {
  return {
    aor: 'sip:alice@ims.test',
    contact,
    connectionId: 'ws-1',
    token: t,
    raw,
    impi: 'alice@ims.test',
    register: {
      requestUri: 'sip:ims.test',
      callId: 'c1',
      cseq: 2,
      contact: `<${contact}>`,
      path: '<sip:F@mw;lr>',
    },
  };
}

function setup(check?: (raw: string) => Promise<ActiveCheck>, intervalMs = 60_000) {
  const clock = new FakeClock();
  const bindings = new TokenBindings({
    clock,
    now: () => BASE + clock.now(),
    logger,
    checkActive: check,
    checkIntervalMs: intervalMs,
  });
  const ended: Array<[string, TokenEndReason]> = [];
  const after: string[] = [];
  bindings.onTokenEnded((b, reason) => {
    ended.push([b.token.tokenId, reason]);
  });
  bindings.afterEnded = (b) => {
    after.push(b.token.tokenId);
  };
  return { clock, bindings, ended, after };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('token bindings: the end of a token ends its registration', () => {
  it('[RFC8898-2.2-token-expiry-ends-registration] MUST end a binding when its token expires: listeners told "expired", then the binding dropped and the follow-up run', async () => {
    const { clock, bindings, ended, after } = setup();
    bindings.bind(binding(token('t1', 300)));
    clock.advance(299_000);
    await settle();
    expect(ended).toEqual([]);
    clock.advance(1_000);
    await settle();
    expect(ended).toEqual([['t1', 'expired']]);
    expect(after).toEqual(['t1']);
    expect(bindings.size).toBe(0);
    expect(clock.pending).toBe(0); // no timer left behind (no revocation checks configured)
  });

  it('[RFC8898-2.2-refresh-replaces-token] MUST replace the token of a contact re-bound by a refresh before expiry, so the old expiry no longer ends it', async () => {
    const { clock, bindings, ended } = setup();
    bindings.bind(binding(token('t1', 60)));
    clock.advance(30_000);
    bindings.bind(binding(token('t2', 600)));
    clock.advance(60_000);
    await settle();
    expect(ended).toEqual([]);
    expect(bindings.get('sip:alice@ims.test', 'sip:a@x.invalid;transport=ws')?.token.tokenId).toBe('t2');
    clock.advance(600_000);
    await settle();
    expect(ended).toEqual([['t2', 'expired']]);
  });

  it('[RFC8898-2.2-deregistered-no-end] MUST NOT end a binding the client removed itself', async () => {
    const { clock, bindings, ended } = setup();
    bindings.bind(binding(token('t1', 60)));
    expect(bindings.remove('sip:alice@ims.test', 'sip:a@x.invalid;transport=ws')).toBe(true);
    clock.advance(120_000);
    await settle();
    expect(ended).toEqual([]);
  });

  it('[RFC7662-2.2-revocation-sweep] MUST check each bound token at the interval, end those reported inactive as "revoked", keep those active, and end nothing when the WAF is unavailable', async () => {
    const asked: string[] = [];
    const state = new Map<string, ActiveCheck>([
      ['raw-a', 'active'],
      ['raw-b', 'inactive'],
      ['raw-c', 'unavailable'],
    ]);
    const { clock, bindings, ended } = setup(async (raw) => {
      asked.push(raw);
      return state.get(raw) ?? 'active';
    }, 60_000);
    bindings.bind(binding(token('a', 3600), 'sip:a@x.invalid'));
    bindings.bind(binding(token('b', 3600), 'sip:b@x.invalid'));
    bindings.bind(binding(token('b', 3600), 'sip:b2@x.invalid', 'raw-b'));
    bindings.bind(binding(token('c', 3600), 'sip:c@x.invalid'));
    clock.advance(59_000);
    await settle();
    expect(asked).toEqual([]);
    clock.advance(1_000);
    for (let i = 0; i < 5; i++) await settle();
    // one question per distinct token, though token b registered two contacts
    expect(asked.sort()).toEqual(['raw-a', 'raw-b', 'raw-c']);
    expect(ended.sort()).toEqual([
      ['b', 'revoked'],
      ['b', 'revoked'],
    ]);
    expect(bindings.size).toBe(2);
    state.set('raw-c', 'inactive');
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) await settle();
    expect(ended.filter(([, r]) => r === 'revoked').map(([j]) => j)).toContain('c');
  });

  it('[RFC7662-2.2-no-sweep-when-off] MUST NOT check tokens when TOKEN_CHECK_INTERVAL is 0', async () => {
    let asked = 0;
    const { clock, bindings } = setup(async () => {
      asked++;
      return 'inactive';
    }, 0);
    bindings.bind(binding(token('a', 3600)));
    clock.advance(600_000);
    await settle();
    expect(asked).toBe(0);
    expect(bindings.size).toBe(1);
  });
});

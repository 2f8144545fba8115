/**
 * Registration with web credentials (scenario 2: the identity comes from the token; RFC 8898,
 * TS 24.371 §6, TS 33.203 X.3) end to end: unmodified JsSIP with `authorization_jwt`, and the
 * library-built WebSocket UA, through the eP-CSCF (JWKS validation) to Kamailio as the IMS core
 * with Trusted Node Authentication. Tokens are signed by the test's own authorization server
 * (token/test-issuer.ts) and its key served as a JWKS over HTTP. The steps run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBearerChallenge, parseDigestCredentials } from '../../sip/auth/index.ts';
import type { SipMessage } from '../../sip/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type BearerBed, bearerLeaked, DOMAIN, registersAtCore, startBearerBed } from './bearer-bed.ts';
import { type BearerJsSip, BearerUa, bearer, createBearerJsSip } from './bearer-clients.ts';
import { establishCall } from './call-flow.ts';
import { eventually } from './eventually.ts';
import { readLocation } from './location.ts';
import { sendRequestUdp } from './udp-sip-client.ts';
import { installWebSocketTap } from './wire-tap.ts';

const ALICE_AOR = `sip:alice@${DOMAIN}`;
const BOB_AOR = `sip:bob@${DOMAIN}`;

describe('eP-CSCF bearer-token registration: JsSIP with a WAF token through the eP-CSCF to Kamailio (TNA)', () => {
  const wire = installWebSocketTap();
  const peers: Array<{ report(): string } | undefined> = [];
  const raw: BearerUa[] = [];
  let ports: PortAllocator;
  let bed: BearerBed;
  let alice: BearerJsSip;
  let bob: BearerJsSip;
  let aliceToken: string;
  printPeerOutputOnFailure(() => peers);

  const identity = (user: string, caps: readonly string[] = ['call', 'message']) => ({
    impu: `sip:${user}@${DOMAIN}`,
    impi: `${user}@${DOMAIN}`,
    sub: `subscriber-${user}`,
    caps,
  });
  const rawUa = async (user: string): Promise<BearerUa> => {
    const ua = await BearerUa.open({ wsUrl: bed.ep.wsUrl, domain: DOMAIN, user });
    raw.push(ua);
    return ua;
  };
  const challengeOf = (m: SipMessage | undefined, header = 'www-authenticate') => {
    const v = m?.headers.get(header);
    const c = v === undefined ? undefined : parseBearerChallenge(v);
    return c?.ok ? c.value : undefined;
  };

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startBearerBed({ ports, env: { TOKEN_CHECK_INTERVAL: '1' }, onPeer: (p) => peers.push(p) });
    aliceToken = await bed.waf.token(identity('alice'));
    alice = createBearerJsSip({
      wsUrl: bed.ep.wsUrl,
      user: 'alice',
      domain: DOMAIN,
      token: aliceToken,
      wire,
    });
    bob = createBearerJsSip({
      wsUrl: bed.ep.wsUrl,
      user: 'bob',
      domain: DOMAIN,
      token: await bed.waf.token(identity('bob')),
      wire,
    });
  });
  afterAll(async () => {
    for (const u of raw) await u.close().catch(() => undefined);
    await alice?.stop();
    await bob?.stop();
    await bed?.stop();
    await ports?.close();
  });

  it('[RFC8898-2.2-register-valid-token] MUST register JsSIP carrying a valid WAF token with a single 200 (no challenge), leaving a binding at the core with the eP-CSCF flow Path and the token bound to the contact', async () => {
    const ok = await alice.start();
    expect(ok.status).toBe(200);
    expect(wire.responsesTo('REGISTER').map((r) => r.status)).toEqual([200]);
    const sent = wire.requests('REGISTER')[0]?.message;
    expect(sent?.headers.get('authorization')).toBe(`Bearer ${aliceToken}`);

    const location = (await readLocation(bed.core)).filter((c) => c.aor === 'alice');
    expect(location).toHaveLength(1);
    const token = /<sip:([^@]+)@/.exec(location[0]?.path ?? '')?.[1] ?? '';
    const stored = await eventually(
      () => bed.ep.store.forAor(ALICE_AOR),
      (b) => b.length === 1,
    );
    expect(stored[0]?.connectionId).toBe(bed.ep.running.context.tokens.decode(token));
    expect(stored[0]?.impi).toBe('alice@ims.test');
    const bound = bed.ep.running.context.bearer?.bindings.get(ALICE_AOR, stored[0]?.contact ?? '');
    expect(bound?.token.subject).toBe('subscriber-alice');
    expect(bound?.connectionId).toBe(stored[0]?.connectionId);
  });

  it('[TS24229-7.2A.2-auth-done] MUST forward the REGISTER to the core as Trusted Node Authentication: the Bearer credentials removed, an Authorization with username the token IMPI, realm the home domain, empty nonce and response, and integrity-protected="auth-done"', () => {
    const registers = registersAtCore(bed);
    expect(registers).toHaveLength(1);
    const auth = registers[0]?.headers.values('authorization') ?? [];
    expect(auth).toHaveLength(1);
    const c = parseDigestCredentials(auth[0] ?? '');
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value).toMatchObject({
      username: 'alice@ims.test',
      realm: DOMAIN,
      nonce: '',
      response: '',
      uri: `sip:${DOMAIN}`,
      integrityProtected: 'auth-done',
    });
    expect(bearerLeaked(bed)).toBe(false);
  });

  it('[TS24371-A.3.2-epcscf-access-token-form] MUST accept at the eP-CSCF the TS 24.371 spelling Bearer access_token="..." as well', async () => {
    bob.ua.set('authorization_jwt', bearer(await bed.waf.token(identity('bob')), 'access_token'));
    expect((await bob.start()).status).toBe(200);
    expect(wire.requests('REGISTER').at(-1)?.message.headers.get('authorization')).toMatch(
      /^Bearer access_token="/,
    );
    expect((await bed.registeredAtCore()).sort()).toEqual(['alice', 'bob']);
  });

  it('[TS24371-7.2.1-message-with-token] MUST carry a MESSAGE between two token-registered JsSIP clients through the core, with the token removed on the way', async () => {
    const res = await alice.message(BOB_AOR, 'hello with web credentials');
    expect(res.status).toBe(200);
    const got = await eventually(
      () => bob.messages,
      (m) => m.length === 1,
    );
    expect(got).toHaveLength(1);
    const atBob = wire.requests('MESSAGE', 'received').at(-1)?.message;
    expect(atBob?.headers.values('authorization')).toEqual([]);
    expect(atBob?.headers.get('p-asserted-identity')).toContain(ALICE_AOR);
    expect(bearerLeaked(bed)).toBe(false);
  });

  it('[RFC8898-2.2-call-with-token] MUST carry a call (INVITE, ACK, BYE) of a client whose token grants call, with no Bearer credentials reaching the core or the callee', async () => {
    const frankToken = await bed.waf.token(identity('frank'));
    const graceToken = await bed.waf.token(identity('grace'));
    const frank = await rawUa('frank');
    const grace = await rawUa('grace');
    expect((await frank.register([bearer(frankToken)])).status).toBe(200);
    expect((await grace.register([bearer(graceToken)])).status).toBe(200);
    const call = await establishCall(frank.call, grace.call, {
      headers: [['Authorization', bearer(frankToken)]],
    });
    expect(call.ok.status).toBe(200);
    expect(call.received.request.headers.values('authorization')).toEqual([]);
    const bye = call.caller.request('BYE', { headers: [['Authorization', bearer(frankToken)]] });
    const atGrace = await call.callee.incoming('BYE');
    expect(atGrace.request.headers.values('authorization')).toEqual([]);
    atGrace.reply(200);
    expect((await bye).status).toBe(200);
    expect(bed.toCore.some((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(true);
    expect(bearerLeaked(bed)).toBe(false);
  });

  it('[RFC6750-3.1-insufficient-scope-403] MUST refuse an INVITE whose token lacks the call capability, and a MESSAGE whose token lacks message, with 403 and a Bearer challenge error="insufficient_scope", forwarding nothing', async () => {
    const daveToken = await bed.waf.token(identity('dave', ['message']));
    const dave = await rawUa('dave');
    expect((await dave.register([bearer(daveToken)])).status).toBe(200);
    const before = bed.toCore.length;
    const invite = dave.call.invite(BOB_AOR, { headers: [['Authorization', bearer(daveToken)]] });
    const refused = await invite.final();
    expect(refused.status).toBe(403);
    expect(challengeOf(refused)).toMatchObject({
      realm: DOMAIN,
      authzServer: bed.waf.issuer,
      error: 'insufficient_scope',
      errorDescription: 'capability call not granted',
    });

    const erinToken = await bed.waf.token(identity('erin', ['call']));
    const erin = await rawUa('erin');
    expect((await erin.register([bearer(erinToken)])).status).toBe(200);
    const sent = bed.toCore.length;
    const msg = await erin.call.request('MESSAGE', BOB_AOR, {
      headers: [['Authorization', bearer(erinToken)]],
      contentType: 'text/plain',
      body: 'not allowed',
    });
    expect(msg.status).toBe(403);
    expect(challengeOf(msg)?.error).toBe('insufficient_scope');
    // Nothing of either request went toward the core (only erin's REGISTER did, before).
    expect(bed.toCore.slice(before).filter((m) => m.kind === 'request' && m.method !== 'REGISTER')).toEqual(
      [],
    );
    expect(bed.toCore.length).toBe(sent);
  });

  it('[RFC8898-2.2-other-subject-401] MUST refuse with 401 invalid_token a request from a token-registered flow that carries a valid token of another subject', async () => {
    const dave = raw.find((u) => u.impu === `sip:dave@${DOMAIN}`);
    expect(dave).toBeDefined();
    const res = await dave!.call.request('MESSAGE', BOB_AOR, {
      headers: [['Authorization', bearer(await bed.waf.token(identity('alice')))]],
      contentType: 'text/plain',
      body: 'borrowed token',
    });
    expect(res.status).toBe(401);
    expect(challengeOf(res)).toMatchObject({
      error: 'invalid_token',
      errorDescription: 'token of another subject than the registration',
    });
  });

  it('[RFC8898-2.2-refresh-new-token] MUST accept a refresh REGISTER carrying a new valid token and bind the registration to the new token', async () => {
    const fresh = await bed.waf.token({ ...identity('alice'), expiresIn: 900 });
    alice.setToken(fresh);
    expect((await alice.register()).status).toBe(200);
    const [stored] = await bed.ep.store.forAor(ALICE_AOR);
    const bound = await eventually(
      () => bed.ep.running.context.bearer?.bindings.get(ALICE_AOR, stored?.contact ?? ''),
      (b) => b?.raw === fresh,
    );
    expect(bound?.raw).toBe(fresh);
    expect(bound?.token.expiresAt).toBeGreaterThan(Date.now() / 1000 + 600);
    aliceToken = fresh;
  });

  it('[RFC8898-2.2-revocation-deregisters] MUST end the registration at the core when the revocation check finds the token revoked, close the flow, and refuse a replay of that token with 401 invalid_token', async () => {
    bed.waf.revoke(aliceToken);
    const location = await eventually(
      () => bed.registeredAtCore(),
      (aors) => !aors.includes('alice'),
      8_000,
    );
    expect(location).not.toContain('alice');
    expect(location).toContain('bob');
    expect(await bed.ep.store.forAor(ALICE_AOR)).toEqual([]);
    expect(
      await eventually(
        () => alice.connected(),
        (c) => !c,
      ),
    ).toBe(false);
    const dereg = registersAtCore(bed).at(-1);
    expect(dereg?.headers.get('expires')).toBe('0');
    expect(dereg?.headers.get('authorization')).toMatch(/integrity-protected="auth-done"/);
    const metric = await bed.ep.running.context.bearer?.metrics.deregistrations.get();
    expect(metric?.values.find((v) => v.labels.reason === 'revoked')?.value).toBe(1);

    // Replay: the JWT still verifies, but the eP-CSCF remembers it was revoked.
    const mallory = await rawUa('alice');
    const replay = await mallory.register([bearer(aliceToken)]);
    expect(replay.status).toBe(401);
    expect(challengeOf(replay)).toMatchObject({ error: 'invalid_token', errorDescription: 'token revoked' });
    expect(await bed.registeredAtCore()).not.toContain('alice');
  });

  it('[RFC8898-2.2-expiry-deregisters] MUST end the registration at the core when the token expires (REGISTER Expires 0 with auth-done, same Call-ID, higher CSeq) and close the flow', async () => {
    const heidi = await rawUa('heidi');
    expect(
      (await heidi.register([bearer(await bed.waf.token({ ...identity('heidi'), expiresIn: 3 }))])).status,
    ).toBe(200);
    expect(await bed.registeredAtCore()).toContain('heidi');
    const registered = registersAtCore(bed).filter(
      (m) => m.kind === 'request' && m.to.uriText.includes('heidi'),
    );
    const gone = await eventually(
      () => bed.registeredAtCore(),
      (aors) => !aors.includes('heidi'),
      10_000,
    );
    expect(gone).not.toContain('heidi');
    const dereg = registersAtCore(bed)
      .filter((m) => m.to.uriText.includes('heidi'))
      .at(-1);
    expect(dereg?.headers.get('expires')).toBe('0');
    expect(dereg?.callId).toBe(registered[0]?.callId);
    expect(dereg?.kind === 'request' && dereg.cseq.seq).toBeGreaterThan(
      registered[0]?.kind === 'request' ? registered[0].cseq.seq : Number.POSITIVE_INFINITY,
    );
    expect(await bed.ep.store.forAor(`sip:heidi@${DOMAIN}`)).toEqual([]);
    expect(
      await eventually(
        () => heidi.call.ua.ws.isOpen,
        (open) => !open,
      ),
    ).toBe(false);
    const metric = await bed.ep.running.context.bearer?.metrics.deregistrations.get();
    expect(metric?.values.find((v) => v.labels.reason === 'expired')?.value).toBe(1);
  });

  it('[RFC8898-2.2-no-token-ims-credentials] MUST forward a REGISTER without Bearer credentials as before when BEARER_REQUIRED is false, so the core challenges it with digest', async () => {
    const ivan = await rawUa('alice');
    const res = await ivan.register([]);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Digest /);
  });

  it('[TS33203-U.1-tna-trusted-node-only] the IMS core MUST believe integrity-protected="auth-done" only from the eP-CSCF: the same REGISTER sent from elsewhere is challenged and registers nothing', async () => {
    const before = await bed.registeredAtCore();
    const { final } = await sendRequestUdp(
      { host: bed.core.host, port: bed.core.sipPort },
      {
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
        from: `<sip:mallory@${DOMAIN}>`,
        to: `<sip:mallory@${DOMAIN}>`,
        headers: [
          ['Contact', '<sip:mallory@192.0.2.66:5060>'],
          ['Expires', '600'],
          [
            'Authorization',
            `Digest username="mallory@${DOMAIN}", realm="${DOMAIN}", nonce="", uri="sip:${DOMAIN}", response="", integrity-protected="auth-done"`,
          ],
        ],
      },
    );
    expect(final?.status).toBe(401);
    expect(final?.headers.get('www-authenticate')).toMatch(/^Digest /);
    expect(await bed.registeredAtCore()).toEqual(before);
  });
});

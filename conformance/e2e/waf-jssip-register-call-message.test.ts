/**
 * Web credentials end to end with the real WAF (scenario 2, TS 33.203 X.3; RFC 8898; TS 24.371
 * §6): alice and bob log in at the WAF with the authorization code flow and PKCE (driven over
 * HTTP through the login form, no manual step), unmodified JsSIP registers with the access token
 * (`authorization_jwt`) through the eP-CSCF (JWKS validation against the WAF) to Kamailio as the
 * IMS core with Trusted Node Authentication, calls sipp registered at the core, and sends bob a
 * MESSAGE. The steps run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDigestCredentials } from '../../sip/auth/index.ts';
import type { SipMessage } from '../../sip/index.ts';
import { IMS_AUDIENCE } from '../../token/claims.ts';
import { type BearerJsSip, createBearerJsSip } from '../ep-cscf/bearer-clients.ts';
import { headerValues, receivedBySipp } from '../ep-cscf/call-sipp-log.ts';
import { eventually } from '../ep-cscf/eventually.ts';
import { readLocation } from '../ep-cscf/location.ts';
import { installWebSocketTap } from '../ep-cscf/wire-tap.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import type { SippResult } from '../sipp/sipp.ts';
import { type E2eBed, startE2eBed } from './e2e-bed.ts';
import { ALICE, BOB, IMS_DOMAIN } from './e2e-directory.ts';
import { installWebRtcStandIn, peerConnections, placeCall } from './jssip-call.ts';
import { CALLEE, type SippCallee, startSippCallee } from './sipp-callee.ts';
import { claimsOf, loginWithPkce } from './waf-client.ts';

const requestsAtCore = (bed: E2eBed, method: string): SipMessage[] =>
  bed.ep.toCore.filter((m) => m.kind === 'request' && m.method === method);

describe('end to end with the real WAF: JsSIP logs in with PKCE, registers, calls sipp and messages through the eP-CSCF to Kamailio (TNA)', () => {
  const wire = installWebSocketTap();
  let uninstall: () => void = () => {};
  let ports: PortAllocator;
  let bed: E2eBed | undefined;
  let alice: BearerJsSip | undefined;
  let bob: BearerJsSip | undefined;
  let aliceToken = '';
  let callee: SippCallee | undefined;
  let sippRun: SippResult | undefined;
  printPeerOutputOnFailure(() => [...(bed?.peers() ?? []), callee?.server, sippRun]);

  beforeAll(async () => {
    uninstall = installWebRtcStandIn();
    ports = await PortAllocator.open();
    bed = await startE2eBed({ ports, callees: [CALLEE] });
  });
  afterAll(async () => {
    await alice?.stop();
    await bob?.stop();
    await callee?.server.stop();
    await bed?.stop();
    await ports?.close();
    uninstall();
  });

  it('[TS24371-6.3-e2e-waf-register] MUST register JsSIP with the access token it got from the WAF by authorization code + PKCE: one 200 without a challenge, and Kamailio holds alice with the eP-CSCF flow Path', async () => {
    const b = bed!;
    const login = await loginWithPkce(b.waf, ALICE.login);
    aliceToken = login.accessToken;
    expect(claimsOf(aliceToken)).toMatchObject({
      iss: b.waf.issuer(),
      aud: IMS_AUDIENCE,
      sub: ALICE.subscriberId,
      ims: { impu: ALICE.impu, impi: ALICE.impi },
    });
    alice = createBearerJsSip({
      wsUrl: b.ep.wsUrl,
      user: 'alice',
      domain: IMS_DOMAIN,
      token: aliceToken,
      wire,
    });
    const ok = await alice.start();
    expect(ok.status).toBe(200);
    const connection = wire.connections;
    expect(wire.responsesTo('REGISTER', connection).map((r) => r.status)).toEqual([200]);
    expect(wire.requests('REGISTER').at(-1)?.message.headers.get('authorization')).toBe(
      `Bearer ${aliceToken}`,
    );

    const bindings = (await readLocation(b.core)).filter((c) => c.aor === 'alice');
    expect(bindings).toHaveLength(1);
    const path = bindings[0]?.path ?? '';
    expect(path).toContain(`@${b.ep.host}:${b.ep.mwPort};lr`);
    const flowToken = /<sip:([^@]+)@/.exec(path)?.[1] ?? '';
    const stored = await eventually(
      () => b.ep.running.context.store.forAor(ALICE.impu),
      (s) => s.length === 1,
    );
    expect(b.ep.running.context.tokens.decode(flowToken)).toBe(stored[0]?.connectionId);
  });

  it('[TS24229-7.2A.2-e2e-waf-auth-done] MUST present alice REGISTER to Kamailio as Trusted Node Authentication: Authorization username the token IMPI with integrity-protected="auth-done", and no bearer token', () => {
    const b = bed!;
    const registers = b.registersAtCore().filter((m) => m.to.uriText === ALICE.impu);
    expect(registers).toHaveLength(1);
    const auth = registers[0]?.headers.values('authorization') ?? [];
    expect(auth).toHaveLength(1);
    const c = parseDigestCredentials(auth[0] ?? '');
    expect(c.ok && c.value).toMatchObject({
      username: ALICE.impi,
      nonce: '',
      response: '',
      integrityProtected: 'auth-done',
    });
    expect(b.bearerLeaked()).toBe(false);
  });

  it('[TS24229-5.2.7.2-e2e-waf-call-sipp] MUST carry a JsSIP call of the token-registered alice to sipp at the core: answered, ACKed and ended by BYE, sipp and the core seeing alice as P-Asserted-Identity and no bearer token', async () => {
    const b = bed!;
    const a = alice!;
    callee = await startSippCallee(ports, b.core);
    sippRun = callee.registration;
    expect(
      await eventually(
        () => b.registeredAtCore(),
        (aors) => aors.includes(CALLEE.username),
      ),
    ).toContain(CALLEE.username);

    const call = placeCall(a.ua, `sip:${CALLEE.username}@${IMS_DOMAIN}`);
    await call.confirmed;
    // JsSIP applied sipp's answer (PCMA: no media gateway, the SDP passed end to end).
    expect(peerConnections.at(-1)?.remoteDescription?.sdp).toMatch(/a=rtpmap:8 PCMA\/8000/);
    // JsSIP confirms the call as it sends the ACK. The core (Kamailio, several UDP workers) may
    // relay an ACK and a BYE that follow each other within a millisecond in either order, and
    // sipp's scenario wants the ACK first: the BYE waits until the ACK has left for the core.
    expect(
      await eventually(
        () => requestsAtCore(b, 'ACK').length,
        (n) => n === 1,
      ),
    ).toBe(1);
    call.session.terminate();
    expect(await call.ended).toBe('local');
    const done = await callee.server.finished();
    sippRun = done;
    callee = undefined;
    expect(done.exitCode).toBe(0);

    const invite = receivedBySipp(done.messages, 'INVITE');
    expect(headerValues(invite, 'P-Asserted-Identity')).toEqual([`<${ALICE.impu}>`]);
    expect(headerValues(invite, 'Authorization')).toEqual([]);
    expect(receivedBySipp(done.messages, 'BYE')).toMatch(new RegExp(`^BYE sip:${CALLEE.username}@`));
    // JsSIP sent its token on the INVITE and the BYE; the eP-CSCF removed it toward the core.
    for (const method of ['INVITE', 'BYE'])
      expect(wire.requests(method).at(-1)?.message.headers.get('authorization')).toBe(`Bearer ${aliceToken}`);
    const atCore = requestsAtCore(b, 'INVITE').at(-1);
    expect(atCore?.headers.values('p-asserted-identity')).toEqual([`<${ALICE.impu}>`]);
    expect(requestsAtCore(b, 'BYE')).toHaveLength(1);
    expect(b.bearerLeaked()).toBe(false);
  });

  it('[TS24371-7.2.1-e2e-waf-message] MUST carry a MESSAGE from alice to bob, both JsSIP clients registered with tokens from their own WAF logins, asserted as alice and without the token', async () => {
    const b = bed!;
    const login = await loginWithPkce(b.waf, BOB.login);
    expect(claimsOf(login.accessToken)).toMatchObject({ ims: { impu: BOB.impu } });
    bob = createBearerJsSip({
      wsUrl: b.ep.wsUrl,
      user: 'bob',
      domain: IMS_DOMAIN,
      token: login.accessToken,
      wire,
    });
    expect((await bob.start()).status).toBe(200);
    expect(await b.registeredAtCore()).toEqual(expect.arrayContaining(['alice', 'bob']));

    const res = await alice!.message(BOB.impu, 'hello from a web login');
    expect(res.status).toBe(200);
    const got = await eventually(
      () => bob!.messages,
      (m) => m.length === 1,
    );
    expect(got).toHaveLength(1);
    expect(got[0]?.request.body).toBe('hello from a web login');
    const atBob = wire.requests('MESSAGE', 'received').at(-1)?.message;
    expect(atBob?.headers.values('authorization')).toEqual([]);
    expect(atBob?.headers.get('p-asserted-identity')).toContain(ALICE.impu);
    expect(requestsAtCore(b, 'MESSAGE').at(-1)?.headers.values('p-asserted-identity')).toEqual([
      `<${ALICE.impu}>`,
    ]);
    expect(b.bearerLeaked()).toBe(false);
  });
});

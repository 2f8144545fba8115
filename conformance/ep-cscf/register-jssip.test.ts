/**
 * JsSIP 3 (unmodified, in Node) registers, re-registers and unregisters through the eP-CSCF to
 * Kamailio as the IMS core with digest authentication (TS 24.229 §5.2.2, RFC 3327, RFC 5626).
 * The steps run in order on one client; the core's location table, the eP-CSCF's store and the
 * messages the client saw are the evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { eventually } from './eventually.ts';
import { createJsSipClient, type JsSipClient } from './jssip-client.ts';
import { readLocation } from './location.ts';
import { expectCoreRegister, expectFlowPath, expectOneVia } from './registration-checks.ts';
import { ALICE, DOMAIN, startTestBed, type TestBed } from './test-bed.ts';
import { installWebSocketTap } from './wire-tap.ts';

const FLOW_TIMER = 95;
const VISITED = 'visited.example.net';
const AOR = `sip:${ALICE.user}@${DOMAIN}`;

describe('eP-CSCF registration path: JsSIP through the eP-CSCF to Kamailio', () => {
  const wire = installWebSocketTap();
  const peers: Array<{ report(): string }> = [];
  let ports: PortAllocator;
  let bed: TestBed;
  let client: JsSipClient;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startTestBed({
      ports,
      env: { FLOW_TIMER: String(FLOW_TIMER), VISITED_NETWORK_ID: VISITED },
      onPeer: (p) => peers.push(p),
    });
    client = createJsSipClient({
      wsUrl: bed.ep.wsUrl,
      user: ALICE.user,
      domain: DOMAIN,
      password: ALICE.password,
      wire,
    });
  });
  afterAll(async () => {
    await client?.stop();
    await bed?.stop();
    await ports?.close();
  });

  it('[RFC3327-5-path] [RFC5626-5.1-ob] MUST register JsSIP with digest (401 then 200) and make the core store a Path to the eP-CSCF whose user part is the flow token of the client connection, with ob', async () => {
    const registered = await client.start();
    expect(registered.response.status_code).toBe(200);
    expect(wire.responsesTo('REGISTER').map((r) => r.status)).toEqual([401, 200]);
    // The precondition of ob (RFC 5626 §5.1): JsSIP sends reg-id and +sip.instance.
    const sent = wire.requests('REGISTER')[0]?.message;
    expect(sent?.headers.get('contact')).toMatch(/reg-id=1/);
    expect(sent?.headers.get('contact')).toMatch(/\+sip\.instance=/);

    const location = (await readLocation(bed.core)).filter((c) => c.aor === ALICE.user);
    expect(location).toHaveLength(1);
    expectFlowPath(bed.ep, location[0]?.path, { ob: true });
  });

  it('[TS24229-5.2.2.1-path-etc] MUST forward each REGISTER to the core with its Path on top, Supported and Require path, P-Visited-Network-ID and a fresh P-Charging-Vector icid, and nothing of sec-agree', () => {
    const registers = bed.tap.requests.filter((r) => r.method === 'REGISTER');
    expect(registers).toHaveLength(2);
    expectCoreRegister(bed.ep, registers, { visited: VISITED, ob: true });
  });

  it('[TS24229-5.2.2.1-service-route] MUST pass the Service-Route and P-Associated-URI of the 200 to the client and keep them, with the flow, for the registered contact', async () => {
    const ok = wire.responsesTo('REGISTER').at(-1);
    expect(ok?.headers.values('service-route')).toEqual([bed.core.serviceRoute]);
    expect(ok?.headers.values('p-associated-uri')).toEqual([`<${AOR}>`]);

    const bindings = await eventually(
      () => bed.ep.store.forAor(AOR),
      (b) => b.length === 1,
    );
    expect(bindings).toHaveLength(1);
    const b = bindings[0];
    expect(b?.serviceRoute).toEqual([bed.core.serviceRoute]);
    expect(b?.associatedUris).toEqual([`<${AOR}>`]);
    expect(b?.regId).toBe(1);
    expect(b?.instanceId).toMatch(/urn:uuid:/);
    const token = /<sip:([^@]+)@/.exec((await readLocation(bed.core))[0]?.path ?? '')?.[1] ?? '';
    expect(b?.connectionId).toBe(bed.ep.running.context.tokens.decode(token));
  });

  it('[RFC5626-4.4.1-flow-timer] MUST add Flow-Timer with the configured value to the 2xx of an outbound REGISTER', () => {
    const ok = wire.responsesTo('REGISTER').at(-1);
    expect(ok?.status).toBe(200);
    expect(ok?.headers.values('flow-timer')).toEqual([String(FLOW_TIMER)]);
  });

  it('[RFC3261-16.7-relay-own-via-removed] MUST relay the responses of the core to the client with the eP-CSCF Via removed, so the client sees its own Via only', () => {
    const responses = wire.responsesTo('REGISTER');
    expect(responses.length).toBeGreaterThan(0);
    for (const r of responses)
      expectOneVia(r, wire.requests('REGISTER').find((q) => q.message.cseq.seq === r.cseq.seq)?.message);
  });

  it('[RFC3261-10.2.4-refresh] MUST carry a refresh REGISTER over the same flow: one binding at the core with the same Path, a higher CSeq, and one binding in the store', async () => {
    const before = (await readLocation(bed.core)).filter((c) => c.aor === ALICE.user);
    const refreshed = await client.register();
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.values('flow-timer')).toEqual([String(FLOW_TIMER)]);

    const after = (await readLocation(bed.core)).filter((c) => c.aor === ALICE.user);
    expect(after).toHaveLength(1);
    expect(after[0]?.address).toBe(before[0]?.address);
    expect(after[0]?.path).toBe(before[0]?.path);
    expect(after[0]?.callId).toBe(before[0]?.callId);
    expect(after[0]?.cseq).toBeGreaterThan(before[0]?.cseq ?? Number.POSITIVE_INFINITY);
    expect(await bed.ep.store.forAor(AOR)).toHaveLength(1);
  });

  it('[RFC3261-10.2.2-unregister] MUST carry an unregistration (Expires 0) to the core and then hold no binding for the client, at the core or in the eP-CSCF store', async () => {
    const gone = await client.unregister();
    expect(gone.response?.status_code).toBe(200);
    expect((await readLocation(bed.core)).filter((c) => c.aor === ALICE.user)).toEqual([]);
    expect(
      await eventually(
        () => bed.ep.store.forAor(AOR),
        (b) => b.length === 0,
      ),
    ).toEqual([]);
    expect(await bed.ep.store.size()).toBe(0);
  });
});

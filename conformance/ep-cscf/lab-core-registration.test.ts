/**
 * The eP-CSCF in front of the lab IMS core (conformance/lab-core): a WebSocket client built from
 * the SIP library registers with digest (MD5, SHA-256) and with Digest AKA (AKAv1-MD5,
 * AKAv2-MD5, answered by a MILENAGE USIM simulator), including an SQN resynchronisation; the
 * 401 the client sees never carries the core's ck/ik (TS 24.229 §5.2.2.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientSecret, parseDigestChallenge, Usim } from '../../sip/auth/index.ts';
import type { SipResponse } from '../../sip/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { DOMAIN, K, OPC, testSubscribers } from '../lab-core/fixture.ts';
import type { LabCore } from '../lab-core/index.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';
import { eventually } from './eventually.ts';
import { startLoopbackLabCore } from './lab-core-peer.ts';
import { expectFlowPath } from './registration-checks.ts';
import { sendRequestUdp } from './udp-sip-client.ts';
import { WsUa } from './ws-ua.ts';

const KEY = { k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex') };
const DIGEST = [
  { user: 'alice', password: 'alice-pw', algorithm: 'MD5' },
  { user: 'sam', password: 'sam-pw', algorithm: 'SHA-256' },
] as const;
const AKA = [
  { user: 'carol', algorithm: 'AKAv1-MD5' },
  { user: 'dave', algorithm: 'AKAv2-MD5' },
] as const;

describe('eP-CSCF registration path: a library-built WebSocket client through the eP-CSCF to the lab core', () => {
  const peers: Array<{ report(): string }> = [];
  const uas: WsUa[] = [];
  let ports: PortAllocator;
  let core: LabCore;
  let ep: EpCscfPeer;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    core = await startLoopbackLabCore(ports, { domain: DOMAIN, subscribers: testSubscribers() });
    ep = await startEpCscfPeer({ ports, coreUri: core.uri, env: { IMS_DOMAIN: DOMAIN } });
    peers.push(ep);
  });
  afterAll(async () => {
    for (const ua of uas) await ua.close();
    await ep?.stop();
    await core?.stop();
    await ports?.close();
  });

  const open = async (user: string, secret: ClientSecret): Promise<WsUa> => {
    const impu = `sip:${user}@${DOMAIN}`;
    const ua = await WsUa.open({ wsUrl: ep.wsUrl, domain: DOMAIN, impu, impi: `${user}@${DOMAIN}`, secret });
    uas.push(ua);
    return ua;
  };

  /** The registration took: the core holds the contact with the eP-CSCF's flow Path, the eP-CSCF a binding. */
  const expectRegistered = async (user: string): Promise<void> => {
    const impu = `sip:${user}@${DOMAIN}`;
    const contacts = core.registrations.get(impu)?.contacts ?? [];
    expect(contacts).toHaveLength(1);
    expectFlowPath(ep, contacts[0]?.path?.[0], { ob: true });
    const bindings = await eventually(
      () => ep.store.forAor(impu),
      (b) => b.length === 1,
    );
    expect(bindings).toHaveLength(1);
    expect(bindings[0]?.serviceRoute).toEqual([`<sip:orig@${core.host}:${core.port};lr>`]);
    expect(bindings[0]?.impi).toBe(`${user}@${DOMAIN}`);
  };

  for (const d of DIGEST) {
    it(`[TS24229-5.2.2.1-digest-via-epcscf] MUST carry a ${d.algorithm} digest registration (401 then 200) between a WebSocket client and the core`, async () => {
      const ua = await open(d.user, { password: d.password });
      const finals = await ua.register();
      expect(finals.map((r) => r.status)).toEqual([401, 200]);
      expect(challengeOf(finals[0]).algorithm).toBe(d.algorithm);
      await expectRegistered(d.user);
    });
  }

  for (const a of AKA) {
    it(`[TS24229-5.2.2.1-aka-via-epcscf] [TS24229-5.2.2.1-ck-ik-never-to-ue] MUST carry an ${a.algorithm} registration (401 then 200) and strip the ck and ik the core put in its challenge`, async () => {
      // What the core sends a P-CSCF: the challenge with ck and ik (asked here directly).
      const direct = await sendRequestUdp(
        { host: core.host, port: core.port },
        {
          method: 'REGISTER',
          uri: `sip:${DOMAIN}`,
          from: `<sip:${a.user}@${DOMAIN}>`,
          to: `<sip:${a.user}@${DOMAIN}>`,
          headers: [['Contact', '<sip:probe@127.0.0.1:9;transport=udp>']],
        },
      );
      expect(direct.final?.status).toBe(401);
      expect(challengeOf(direct.final).ck).toMatch(/^[0-9a-f]{32}$/);
      expect(challengeOf(direct.final).ik).toMatch(/^[0-9a-f]{32}$/);

      const usim = new Usim({ ...KEY, sqnMs: 0n });
      const ua = await open(a.user, { aka: usim });
      const finals = await ua.register();
      expect(finals.map((r) => r.status)).toEqual([401, 200]);
      const c = challengeOf(finals[0]);
      expect(c.algorithm).toBe(a.algorithm);
      expect(c.ck).toBeUndefined();
      expect(c.ik).toBeUndefined();
      expect(finals[0]?.headers.values('www-authenticate').join()).not.toMatch(/\b(ck|ik)\s*=/i);
      expect(usim.sqn).toBeGreaterThan(0n);
      await expectRegistered(a.user);
    });
  }

  it('[TS33102-6.3.5-resync-via-epcscf] MUST carry an AKA resynchronisation: a USIM whose SQN is ahead answers with AUTS, the core challenges again, the registration succeeds, and no challenge carries ck or ik', async () => {
    const usim = new Usim({ ...KEY, sqnMs: 5_000_000n });
    const ua = await open('carol', { aka: usim });
    const finals = await ua.register();
    expect(finals.map((r) => r.status)).toEqual([401, 401, 200]);
    expect(ua.exchanges[1]?.request.headers.get('authorization')).toMatch(/\bauts\s*=\s*"[^"]+"/i);
    expect(usim.sqn).toBeGreaterThan(5_000_000n);
    for (const r of finals.slice(0, 2)) {
      expect(challengeOf(r).ck).toBeUndefined();
      expect(challengeOf(r).ik).toBeUndefined();
    }
    await eventually(
      () => ep.store.forAor(`sip:carol@${DOMAIN}`),
      (b) => b.length === 2,
    );
    expect(core.registrations.get(`sip:carol@${DOMAIN}`)?.contacts).toHaveLength(2);
  });
});

function challengeOf(r: SipResponse | undefined): { algorithm?: string; ck?: string; ik?: string } {
  const value = r?.headers.values('www-authenticate')[0];
  if (value === undefined) throw new Error(`no WWW-Authenticate in ${r?.status ?? 'no response'}`);
  const parsed = parseDigestChallenge(value);
  if (!parsed.ok) throw new Error(`challenge does not parse: ${value}`);
  return parsed.value;
}

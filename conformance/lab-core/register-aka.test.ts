import { afterEach, describe, expect, it } from 'vitest';
import {
  formatInitialImsAuthorization,
  parseDigestChallenge,
  Usim,
  withIntegrityProtected,
} from '../../sip/auth/index.ts';
import { DOMAIN, K, OPC, startTestCore } from './fixture.ts';
import { TestUa } from './test-ua.ts';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

const key = { k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex') };

async function akaUa(user: string, sqnMs: bigint, protocol: 'udp' | 'tcp' = 'udp', coreOpts = {}) {
  const core = await startTestCore(coreOpts);
  running.push(core);
  const usim = new Usim({ ...key, sqnMs });
  const ua = await TestUa.start({
    protocol,
    core,
    domain: DOMAIN,
    impu: `sip:${user}@${DOMAIN}`,
    impi: `${user}@${DOMAIN}`,
    secret: { aka: usim },
  });
  running.push(ua);
  return { core, ua, usim };
}

describe('lab core registrar with Digest AKA (TS 24.229 §5.4.1.2, RFC 3310, RFC 4169)', () => {
  it.each([
    ['carol', 'AKAv1-MD5', 'udp'],
    ['dave', 'AKAv2-MD5', 'tcp'],
  ] as const)(
    '[TS24229-5.4.1.2.1-aka-challenge] %s: MUST challenge with %s, nonce = base64(RAND||AUTN) and ck/ik for the P-CSCF, then accept the answer',
    async (user, algorithm, protocol) => {
      const { core, ua, usim } = await akaUa(user, 0n, protocol);
      const finals = await ua.register({ expires: 600 });
      expect(finals.map((r) => r.status)).toEqual([401, 200]);
      const challenge = parseDigestChallenge(finals[0]!.headers.values('www-authenticate')[0]!);
      if (!challenge.ok) throw new Error('challenge does not parse');
      expect(challenge.value.algorithm).toBe(algorithm);
      expect(Buffer.from(challenge.value.nonce, 'base64')).toHaveLength(32);
      expect(challenge.value.ck).toMatch(/^[0-9a-f]{32}$/);
      expect(challenge.value.ik).toMatch(/^[0-9a-f]{32}$/);
      expect(usim.sqn).toBe(33n); // the HSS's SQN 32 + 1
      expect(finals[1]!.headers.get('service-route')).toBe(`<sip:orig@127.0.0.1:${core.port};lr>`);
      expect(core.registrations.get(`sip:${user}@${DOMAIN}`)?.contacts).toHaveLength(1);
    },
  );

  it('[TS33102-6.3.5-lab-core-resync] after AUTS from a USIM whose SQN is ahead, MUST resynchronise and challenge again with a fresh vector', async () => {
    const { core, ua, usim } = await akaUa('carol', 5000n);
    const finals = await ua.register();
    expect(finals.map((r) => r.status)).toEqual([401, 401, 200]);
    const first = parseDigestChallenge(finals[0]!.headers.values('www-authenticate')[0]!);
    const second = parseDigestChallenge(finals[1]!.headers.values('www-authenticate')[0]!);
    if (!first.ok || !second.ok) throw new Error('challenge does not parse');
    expect(second.value.nonce).not.toBe(first.value.nonce);
    expect(usim.sqn).toBe(5001n);
    expect(core.registrations.get('sip:carol@ims.lab')?.contacts).toHaveLength(1);
  });

  it('[TS24229-5.4.1.2.3-aka-failure] MUST answer 403 when the UE reports a MAC failure (it could not authenticate the network)', async () => {
    const core = await startTestCore();
    running.push(core);
    const wrongCard = new Usim({ k: Buffer.alloc(16, 7), opc: key.opc, sqnMs: 0n });
    const ua = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:carol@ims.lab',
      impi: 'carol@ims.lab',
      secret: { aka: wrongCard },
    });
    running.push(ua);
    expect((await ua.register()).map((r) => r.status)).toEqual([401, 403]);
    expect(core.registrations.all()).toEqual([]);
  });
});

describe('Trusted Node Authentication at the lab core (TS 24.229 §5.4.1.2.2)', () => {
  const authDone = (impi: string) => {
    const initial = formatInitialImsAuthorization({ impi, realm: DOMAIN, uri: `sip:${DOMAIN}` });
    const marked = withIntegrityProtected(initial, 'auth-done');
    if (!marked.ok) throw new Error('cannot mark');
    return marked.value;
  };

  it('[TS24229-5.4.1.2.2-tna] MUST register without a challenge a REGISTER marked auth-done from a trusted peer', async () => {
    const core = await startTestCore({ trusted: ['127.0.0.2'] });
    running.push(core);
    const pcscf = await TestUa.start({
      protocol: 'udp',
      host: '127.0.0.2',
      core,
      domain: DOMAIN,
      impu: 'sip:carol@ims.lab',
      impi: 'carol@ims.lab',
    });
    running.push(pcscf);
    const finals = await pcscf.register({ authorization: authDone('carol@ims.lab') });
    expect(finals.map((r) => r.status)).toEqual([200]);
    expect(core.registrations.get('sip:carol@ims.lab')?.contacts).toHaveLength(1);
  });

  it('[TS24229-5.4.1.2.2-tna-untrusted] MUST still challenge auth-done from a peer that is not trusted', async () => {
    const core = await startTestCore({ trusted: ['127.0.0.2'] });
    running.push(core);
    const ue = await TestUa.start({
      protocol: 'tcp',
      host: '127.0.0.1',
      core,
      domain: DOMAIN,
      impu: 'sip:alice@ims.lab',
      impi: 'alice@ims.lab',
    });
    running.push(ue);
    const finals = await ue.register({ authorization: authDone('alice@ims.lab') });
    expect(finals.map((r) => r.status)).toEqual([401]);
    expect(core.registrations.all()).toEqual([]);
  });
});

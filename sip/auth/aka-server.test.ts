import { describe, expect, it } from 'vitest';
import { generateAuthVector, resynchronise } from './aka.ts';
import { AkaServer } from './aka-server.ts';
import { DigestClient } from './digest-client.ts';
import { formatInitialImsAuthorization, removeAkaKeys } from './ims-auth.ts';
import { hex, milenageVectors } from './test-vectors.ts';
import { Usim } from './usim.ts';

const v = milenageVectors[3]!;
const KEY = { k: hex(v.k), opc: hex(v.opc) };
const REALM = 'ims.mnc001.mcc001.3gppnetwork.org';
const IMPI = `001010000000001@${REALM}`;
const URI = `sip:${REALM}`;
const REGISTER = { method: 'REGISTER', uri: URI };
const AMF = hex('8000');

function setup(opts: { algorithm?: string; sqnMs?: bigint; ue?: { k: Uint8Array; opc: Uint8Array } } = {}) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const server = new AkaServer({ realm: REALM, algorithm: opts.algorithm, now: clock.now, ttlMs: 30_000 });
  const usim = new Usim({ ...(opts.ue ?? KEY), sqnMs: opts.sqnMs ?? 0n });
  const client = new DigestClient({ username: IMPI, secret: { aka: usim } });
  let hssSqn = 32n;
  const vector = () => generateAuthVector({ ...KEY, sqn: hssSqn++, amf: AMF });
  return { server, client, usim, clock, vector, setSqn: (s: bigint) => (hssSqn = s) };
}

describe('Digest AKA at the S-CSCF of the lab core (RFC 3310, TS 24.229 §5.4.1.2)', () => {
  it.each(['AKAv1-MD5', 'AKAv2-MD5', 'AKAv1-SHA-256'])(
    '[TS24229-5.4.1.2-aka-challenge] [RFC3310-3.3-akav1-password] [RFC4169-3-akav2-password] registers with %s: initial REGISTER, 401, answer, success with CK/IK',
    (algorithm) => {
      const { server, client, vector } = setup({ algorithm });
      const initial = formatInitialImsAuthorization({ impi: IMPI, realm: REALM, uri: URI });
      expect(server.verify({ method: 'REGISTER', credentials: [initial] })).toMatchObject({
        ok: false,
        reason: 'no-credentials',
      });
      const av = vector();
      const challenge = server.challenge(IMPI, av);
      const answer = client.respond([challenge], REGISTER);
      if (!answer.ok) throw new Error(answer.reason);
      const result = server.verify({ method: 'REGISTER', credentials: answer.values });
      expect(result).toMatchObject({ ok: true, impi: IMPI });
      if (result.ok) expect(Buffer.from(result.ck).toString('hex')).toBe(Buffer.from(av.ck).toString('hex'));
      // A vector is used once: replaying the same answer fails.
      expect(server.verify({ method: 'REGISTER', credentials: answer.values })).toMatchObject({
        ok: false,
        reason: 'unknown-nonce',
      });
      expect(server.pendingCount).toBe(0);
    },
  );

  it('[RFC3310-3.4-auts] [TS33102-6.3.5-hss-resync] resynchronises after AUTS and then registers', () => {
    const { server, client, vector, setSqn } = setup({ sqnMs: 5000n });
    const first = vector();
    const a = client.respond([server.challenge(IMPI, first)], REGISTER);
    if (!a.ok) throw new Error(a.reason);
    const r = server.verify({ method: 'REGISTER', credentials: a.values });
    if (r.ok || r.reason !== 'sync-failure')
      throw new Error(`expected sync-failure, got ${JSON.stringify(r)}`);
    const resync = resynchronise({ ...KEY, rand: r.rand!, auts: r.auts! });
    if (!('sqnMs' in resync)) throw new Error('resync failed');
    expect(resync.sqnMs).toBe(5000n);
    setSqn(resync.sqnMs + 1n);
    const b = client.respond([server.challenge(IMPI, vector())], REGISTER);
    if (!b.ok) throw new Error(b.reason);
    expect(server.verify({ method: 'REGISTER', credentials: b.values })).toMatchObject({ ok: true });
  });

  it('[TS24229-5.1.1.5.3-mac-failure] reports a UE that could not authenticate the network', () => {
    const { server, client, vector } = setup({ ue: { k: Buffer.alloc(16, 3), opc: KEY.opc } });
    const a = client.respond([server.challenge(IMPI, vector())], REGISTER);
    if (!a.ok) throw new Error(a.reason);
    expect(server.verify({ method: 'REGISTER', credentials: a.values })).toMatchObject({
      ok: false,
      reason: 'mac-failure',
      impi: IMPI,
    });
  });

  it('[TS24229-5.4.1.2-aka-challenge] refuses a wrong response, another user, an expired challenge and malformed answers', () => {
    const { server, client, clock, vector } = setup();
    const a = client.respond([server.challenge(IMPI, vector())], REGISTER);
    if (!a.ok) throw new Error(a.reason);
    const wrong = a.values[0]!.replace(/response="[0-9a-f]+"/, `response="${'0'.repeat(32)}"`);
    expect(server.verify({ method: 'REGISTER', credentials: [wrong] })).toMatchObject({
      ok: false,
      reason: 'bad-response',
    });

    const other = new DigestClient({
      username: `other@${REALM}`,
      secret: { aka: new Usim({ ...KEY, sqnMs: 0n }) },
    });
    const b = other.respond([server.challenge(IMPI, vector())], REGISTER);
    if (!b.ok) throw new Error(b.reason);
    expect(server.verify({ method: 'REGISTER', credentials: b.values })).toMatchObject({
      ok: false,
      reason: 'wrong-user',
    });

    client.forget();
    const c = client.respond([server.challenge(IMPI, vector())], REGISTER);
    if (!c.ok) throw new Error(c.reason);
    clock.advance(30_001);
    expect(server.verify({ method: 'REGISTER', credentials: c.values })).toMatchObject({
      ok: false,
      reason: 'expired',
    });

    client.forget();
    const d = client.respond([server.challenge(IMPI, vector())], REGISTER);
    if (!d.ok) throw new Error(d.reason);
    const badNc = d.values[0]!.replace('nc=00000001', 'nc=xyz');
    expect(server.verify({ method: 'REGISTER', credentials: [badNc] })).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(() => new AkaServer({ realm: REALM, algorithm: 'MD5' })).toThrow(TypeError);
  });

  it('[TS24229-5.2.2.1-remove-ck-ik] puts ck/ik in the challenge for the P-CSCF, which strips them for the UE', () => {
    const server = new AkaServer({ realm: REALM, includeKeys: true });
    const av = generateAuthVector({ ...KEY, sqn: 40n, amf: AMF });
    const removed = removeAkaKeys(server.challenge(IMPI, av));
    if (!removed.ok) throw new Error(removed.error.message);
    expect(removed.value.ck).toBe(Buffer.from(av.ck).toString('hex'));
    expect(removed.value.ik).toBe(Buffer.from(av.ik).toString('hex'));
    const client = new DigestClient({ username: IMPI, secret: { aka: new Usim({ ...KEY, sqnMs: 0n }) } });
    const a = client.respond([removed.value.value], REGISTER);
    if (!a.ok) throw new Error(a.reason);
    expect(server.verify({ method: 'REGISTER', credentials: a.values })).toMatchObject({ ok: true });
  });
});

import { describe, expect, it } from 'vitest';
import {
  answerAkaChallenge,
  computeAuts,
  formatAkaNonce,
  generateAuthVector,
  parseAkaNonce,
  resynchronise,
  sqnFromBytes,
  sqnToBytes,
} from './aka.ts';
import { XorTestAlgorithm } from './aka-algorithm.ts';
import { Milenage } from './milenage.ts';
import { digestVectors, hex, milenageVectors } from './test-vectors.ts';
import { Usim } from './usim.ts';

const h = (b: Uint8Array) => Buffer.from(b).toString('hex');
const v1 = milenageVectors[0]!;
const KEY = { k: hex(v1.k), opc: hex(v1.opc) };
const AMF = hex('8000');

describe('AKA network side (TS 33.102 §6.3.2, RFC 3310 §3.2)', () => {
  it.each(milenageVectors.map((v, i) => [i, v] as const))(
    '[TS33102-6.3.2-autn] [RFC3310-3.2-nonce] vector #%i: AUTN = SQN⊕AK ‖ AMF ‖ MAC-A and nonce = base64(RAND ‖ AUTN)',
    (_i, v) => {
      const av = generateAuthVector({
        k: hex(v.k),
        opc: hex(v.opc),
        sqn: sqnFromBytes(hex(v.sqn)),
        amf: hex(v.amf),
        rand: hex(v.rand),
      });
      expect(h(av.autn)).toBe(v.derived.autn);
      expect(h(av.xres)).toBe(v.f2_res);
      expect(h(av.ck)).toBe(v.f3_ck);
      expect(h(av.ik)).toBe(v.f4_ik);
      expect(av.nonce).toBe(v.derived.rand_autn_b64_nonce);
    },
  );

  it.each(digestVectors.filter((x) => x.algorithm.startsWith('AKA')).map((v) => [v.id, v] as const))(
    '[TS34108-8.1.2-test-algorithm] reproduces the AUTN and nonce of %s with the XOR test algorithm',
    (_id, v) => {
      const av = generateAuthVector({
        algorithm: new XorTestAlgorithm(hex(v.k!)),
        sqn: sqnFromBytes(hex(v.sqn!)),
        amf: hex(v.amf!),
        rand: hex(v.rand!),
      });
      expect(h(av.autn)).toBe(v.derived_autn_hex);
      expect(h(av.xres)).toBe(v.derived_res_hex);
      expect(av.nonce).toBe(v.nonce);
    },
  );

  it('[RFC3310-3.2-nonce] splits a nonce back into RAND, AUTN and server data, and refuses others', () => {
    const av = generateAuthVector({ ...KEY, sqn: 1n, amf: AMF, serverData: Buffer.from('srv') });
    const n = parseAkaNonce(av.nonce);
    expect(n && h(n.rand)).toBe(h(av.rand));
    expect(n && h(n.autn)).toBe(h(av.autn));
    expect(n && Buffer.from(n.serverData).toString()).toBe('srv');
    expect(parseAkaNonce('dGVzdA==')).toBeUndefined();
    expect(parseAkaNonce('!!!!not base64 at all, but long enough to be 32 bytes!!!!')).toBeUndefined();
    expect(Buffer.from(formatAkaNonce(av.rand, av.autn), 'base64')).toEqual(
      Buffer.from(av.nonce, 'base64').subarray(0, 32),
    );
  });

  it('SQN is a 48-bit number', () => {
    expect(h(sqnToBytes(0x0102030405n))).toBe('000102030405');
    expect(sqnFromBytes(hex('ff9bb4d0b607'))).toBe(0xff9bb4d0b607n);
    expect(() => sqnToBytes(1n << 48n)).toThrow(RangeError);
    expect(() => generateAuthVector({ ...KEY, sqn: 1n, amf: hex('00') })).toThrow(RangeError);
  });
});

describe('AKA subscriber side (TS 33.102 §6.3.3)', () => {
  it('[TS33102-6.3.3-mac-check] answers RES, CK and IK to a fresh, authentic challenge', () => {
    const av = generateAuthVector({ ...KEY, sqn: 0x20n, amf: AMF });
    const r = answerAkaChallenge(av.nonce, { ...KEY, sqnMs: 0x10n });
    expect(r.kind).toBe('ok');
    if (r.kind === 'ok')
      expect([h(r.res), h(r.ck), h(r.ik), r.sqn]).toEqual([h(av.xres), h(av.ck), h(av.ik), 0x20n]);
  });

  it('[TS33102-6.3.3-mac-check] MUST report a MAC failure for a forged AUTN, a foreign key or a bad nonce', () => {
    const av = generateAuthVector({ ...KEY, sqn: 0x20n, amf: AMF });
    const forged = Buffer.from(av.autn);
    forged[15]! ^= 1;
    expect(answerAkaChallenge({ rand: av.rand, autn: forged }, { ...KEY, sqnMs: 0n })).toEqual({
      kind: 'mac-failure',
    });
    // A changed AMF is covered by MAC-A too.
    const amf = Buffer.from(av.autn);
    amf[6]! ^= 0x80;
    expect(answerAkaChallenge({ rand: av.rand, autn: amf }, { ...KEY, sqnMs: 0n })).toEqual({
      kind: 'mac-failure',
    });
    expect(answerAkaChallenge(av.nonce, { k: Buffer.alloc(16, 9), opc: KEY.opc, sqnMs: 0n })).toEqual({
      kind: 'mac-failure',
    });
    expect(answerAkaChallenge('not-a-nonce', { ...KEY, sqnMs: 0n })).toEqual({ kind: 'mac-failure' });
  });

  it('[TS33102-6.3.3-sqn-resync] MUST answer AUTS when SQN is not above SQN_MS or jumps beyond Δ', () => {
    const old = generateAuthVector({ ...KEY, sqn: 0x100n, amf: AMF });
    const replay = answerAkaChallenge(old.nonce, { ...KEY, sqnMs: 0x100n });
    expect(replay.kind).toBe('sync-failure');
    if (replay.kind === 'sync-failure') expect(replay.auts).toHaveLength(14);
    const far = generateAuthVector({ ...KEY, sqn: 0x100000n, amf: AMF });
    expect(answerAkaChallenge(far.nonce, { ...KEY, sqnMs: 0x100n, delta: 0x1000n }).kind).toBe(
      'sync-failure',
    );
    expect(answerAkaChallenge(far.nonce, { ...KEY, sqnMs: 0x100n }).kind).toBe('ok');
  });

  it('[TS33102-6.3.3-sqn-resync] AUTS = SQN_MS ⊕ AK* ‖ f1*(SQN_MS, RAND, AMF = 0000) on the TS 35.208 data', () => {
    const auts = computeAuts(KEY, hex(v1.rand), sqnFromBytes(hex(v1.sqn)));
    const macS = new Milenage(KEY).f1(hex(v1.rand), hex(v1.sqn), hex('0000')).macS;
    expect(h(auts.subarray(6))).toBe(h(macS));
    const sqnXor = Buffer.from(hex(v1.sqn)).map((b, i) => b ^ hex(v1.f5star_ak_star)[i]!);
    expect(h(auts.subarray(0, 6))).toBe(h(sqnXor));
  });

  it('[TS33102-6.3.5-hss-resync] the HSS recovers SQN_MS from AUTS, checks MAC-S, and its next vector is accepted', () => {
    const usim = new Usim({ ...KEY, sqnMs: 0x4242n });
    const stale = generateAuthVector({ ...KEY, sqn: 0x10n, amf: AMF });
    const r = usim.authenticate(stale.rand, stale.autn);
    if (r.kind !== 'sync-failure') throw new Error('expected a sync failure');
    const resync = resynchronise({ ...KEY, rand: stale.rand, auts: r.auts });
    expect(resync).toEqual({ sqnMs: 0x4242n });
    const tampered = Buffer.from(r.auts);
    tampered[13]! ^= 0x80;
    expect(resynchronise({ ...KEY, rand: stale.rand, auts: tampered })).toEqual({ error: 'mac-s-mismatch' });
    expect(resynchronise({ ...KEY, rand: stale.rand, auts: r.auts.subarray(0, 13) })).toEqual({
      error: 'mac-s-mismatch',
    });
    if (!('sqnMs' in resync)) throw new Error('no resync');
    const next = generateAuthVector({ ...KEY, sqn: resync.sqnMs + 1n, amf: AMF });
    expect(usim.authenticate(next.rand, next.autn).kind).toBe('ok');
    expect(usim.sqn).toBe(0x4243n);
  });

  it('[TS33102-6.3.3-mac-check] the software USIM keeps SQN_MS across challenges and is not moved by forgeries', () => {
    const usim = new Usim({ ...KEY, sqnMs: 0x10n });
    const av = generateAuthVector({ ...KEY, sqn: 0x20n, amf: AMF });
    const forged = Buffer.from(av.autn);
    forged[0]! ^= 1;
    expect(usim.authenticate(av.rand, forged).kind).toBe('mac-failure');
    expect(usim.sqn).toBe(0x10n);
    expect(usim.authenticate(av.rand, av.autn).kind).toBe('ok');
    expect(usim.sqn).toBe(0x20n);
    expect(usim.authenticate(av.rand, av.autn).kind).toBe('sync-failure');
    expect(() => new Usim({ ...KEY, sqnMs: -1n })).toThrow(RangeError);
  });
});

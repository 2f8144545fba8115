import { describe, expect, it } from 'vitest';
import { computeOpc, Milenage } from './milenage.ts';
import { hex, milenageVectors } from './test-vectors.ts';

const h = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('MILENAGE (TS 35.206 §4.1) against TS 35.208 §4.3 and TS 35.207 test data', () => {
  it('covers every published test set', () => {
    expect(milenageVectors.length).toBeGreaterThanOrEqual(26);
  });

  it.each(milenageVectors.map((v, i) => [i, v.test_set, v] as const))(
    '[TS35206-milenage-f1-f5] vector #%i (set %i): OPc, f1, f1*, f2, f3, f4, f5, f5*',
    (_i, _set, v) => {
      expect(h(computeOpc(hex(v.k), hex(v.op)))).toBe(v.opc);
      const m = new Milenage({ k: hex(v.k), opc: hex(v.opc) });
      const macs = m.f1(hex(v.rand), hex(v.sqn), hex(v.amf));
      expect(h(macs.macA)).toBe(v.f1_mac_a);
      expect(h(macs.macS)).toBe(v.f1star_mac_s);
      const keys = m.keys(hex(v.rand));
      expect(h(keys.res)).toBe(v.f2_res);
      expect(h(keys.ck)).toBe(v.f3_ck);
      expect(h(keys.ik)).toBe(v.f4_ik);
      expect(h(keys.ak)).toBe(v.f5_ak);
      expect(h(keys.akStar)).toBe(v.f5star_ak_star);
    },
  );

  it('derives OPc from OP when given OP', () => {
    const v = milenageVectors[0]!;
    const fromOp = new Milenage({ k: hex(v.k), op: hex(v.op) });
    expect(h(fromOp.keys(hex(v.rand)).res)).toBe(v.f2_res);
  });

  it('refuses keys of the wrong length', () => {
    expect(() => new Milenage({ k: new Uint8Array(15), opc: new Uint8Array(16) })).toThrow(RangeError);
    const m = new Milenage({ k: new Uint8Array(16), opc: new Uint8Array(16) });
    expect(() => m.keys(new Uint8Array(8))).toThrow(RangeError);
    expect(() => m.f1(new Uint8Array(16), new Uint8Array(5), new Uint8Array(2))).toThrow(RangeError);
  });
});

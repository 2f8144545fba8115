/**
 * MILENAGE, the 3GPP example algorithm set for the AKA functions f1, f1*, f2, f3, f4, f5 and f5*
 * (TS 35.206 §4.1), on AES-128 (the kernel function E_K of TS 35.206 §3).
 *
 *   TEMP = E_K(RAND ⊕ OPc)
 *   IN1  = SQN ‖ AMF ‖ SQN ‖ AMF
 *   OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc          f1 = OUT1[0..63], f1* = OUT1[64..127]
 *   OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc, i = 2..5
 *   f2 = OUT2[64..127], f5 = OUT2[0..47], f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47]
 *   r1..r5 = 64, 0, 32, 64, 96 bits; c1..c5 = 0, 1, 2, 4, 8 (in the last bit positions).
 *
 * The operator key OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1) is usually provisioned instead of OP.
 * Checked against all TS 35.208 §4.3 test sets in milenage.test.ts.
 */

import { createCipheriv } from 'node:crypto';
import type { AkaAlgorithm, AkaKeys, AkaMacs } from './aka-algorithm.ts';

function aes(k: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-ecb', k, null);
  c.setAutoPadding(false);
  return c.update(block);
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Cyclic rotation toward the most significant bit by a whole number of bytes. */
function rot(x: Uint8Array, bytes: number): Buffer {
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) out[i] = x[(i + bytes) % 16]!;
  return out;
}

function check(name: string, v: Uint8Array, len: number): void {
  if (v.length !== len) throw new RangeError(`${name} must be ${len} bytes, got ${v.length}`);
}

/** OPc = OP ⊕ E_K(OP). */
export function computeOpc(k: Uint8Array, op: Uint8Array): Buffer {
  check('K', k, 16);
  check('OP', op, 16);
  return xor(aes(k, op), op);
}

/** An AkaAlgorithm bound to one subscriber's K and OPc. */
export class Milenage implements AkaAlgorithm {
  private readonly k: Buffer;
  private readonly opc: Buffer;

  /** Give either `opc` or `op` (from which OPc is derived). */
  constructor(opts: { k: Uint8Array; opc: Uint8Array } | { k: Uint8Array; op: Uint8Array }) {
    check('K', opts.k, 16);
    this.k = Buffer.from(opts.k);
    this.opc = 'opc' in opts ? Buffer.from(opts.opc) : computeOpc(opts.k, opts.op);
    check('OPc', this.opc, 16);
  }

  private temp(rand: Uint8Array): Buffer {
    check('RAND', rand, 16);
    return aes(this.k, xor(rand, this.opc));
  }

  private out(temp: Uint8Array, rotBytes: number, c: number): Buffer {
    const x = rot(xor(temp, this.opc), rotBytes);
    x[15] = x[15]! ^ c;
    return xor(aes(this.k, x), this.opc);
  }

  /** f1 and f1*: MAC-A and MAC-S over SQN (6 bytes) and AMF (2 bytes). */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AkaMacs {
    check('SQN', sqn, 6);
    check('AMF', amf, 2);
    const temp = this.temp(rand);
    const in1 = Buffer.allocUnsafe(16);
    in1.set(sqn, 0);
    in1.set(amf, 6);
    in1.set(sqn, 8);
    in1.set(amf, 14);
    // r1 = 64 bits, c1 = 0.
    const out1 = xor(aes(this.k, xor(temp, rot(xor(in1, this.opc), 8))), this.opc);
    return { macA: out1.subarray(0, 8), macS: out1.subarray(8, 16) };
  }

  /** f2, f3, f4, f5 and f5*: RES (8 bytes), CK, IK, AK and AK*. */
  keys(rand: Uint8Array): AkaKeys {
    const temp = this.temp(rand);
    const out2 = this.out(temp, 0, 1);
    return {
      res: out2.subarray(8, 16),
      ck: this.out(temp, 4, 2),
      ik: this.out(temp, 8, 4),
      ak: out2.subarray(0, 6),
      akStar: this.out(temp, 12, 8).subarray(0, 6),
    };
  }
}

/**
 * The contract between AKA procedures (aka-vector.ts on the network side, usim.ts on the client
 * side) and an algorithm set for the functions of TS 33.102 §6.3.2: f1/f1* (MAC-A/MAC-S),
 * f2 (RES), f3 (CK), f4 (IK), f5/f5* (AK/AK*). An instance is bound to one subscriber key.
 *
 * Two implementations: `Milenage` (TS 35.206, what operators deploy) and `XorTestAlgorithm`
 * (TS 34.108 §8.1.2, what test USIMs and conformance tools use).
 */

export interface AkaMacs {
  /** f1: network authentication code carried in AUTN (8 bytes). */
  readonly macA: Uint8Array;
  /** f1*: resynchronisation code carried in AUTS (8 bytes). */
  readonly macS: Uint8Array;
}

export interface AkaKeys {
  /** f2: RES / XRES (4 to 16 bytes; 8 with MILENAGE). */
  readonly res: Uint8Array;
  /** f3: cipher key (16 bytes). */
  readonly ck: Uint8Array;
  /** f4: integrity key (16 bytes). */
  readonly ik: Uint8Array;
  /** f5: anonymity key hiding SQN in AUTN (6 bytes). */
  readonly ak: Uint8Array;
  /** f5*: anonymity key hiding SQN_MS in AUTS (6 bytes). */
  readonly akStar: Uint8Array;
}

export interface AkaAlgorithm {
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AkaMacs;
  keys(rand: Uint8Array): AkaKeys;
}

/**
 * The TS 34.108 §8.1.2 test algorithm: XDOUT = K ⊕ RAND, RES = XDOUT, CK = XDOUT rotated by one
 * byte, IK = by two, AK = XDOUT[3..8], MAC = XDOUT[0..7] ⊕ (SQN ‖ AMF). Not secure; it exists so
 * that test equipment and its vectors can be reproduced. f5* is taken equal to f5 (verify).
 */
export class XorTestAlgorithm implements AkaAlgorithm {
  private readonly k: Uint8Array;

  constructor(k: Uint8Array) {
    if (k.length !== 16) throw new RangeError(`K must be 16 bytes, got ${k.length}`);
    this.k = Uint8Array.from(k);
  }

  private xdout(rand: Uint8Array): Uint8Array {
    if (rand.length !== 16) throw new RangeError(`RAND must be 16 bytes, got ${rand.length}`);
    const x = new Uint8Array(16);
    for (let i = 0; i < 16; i++) x[i] = this.k[i]! ^ rand[i]!;
    return x;
  }

  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AkaMacs {
    const x = this.xdout(rand);
    const mac = new Uint8Array(8);
    for (let i = 0; i < 6; i++) mac[i] = x[i]! ^ sqn[i]!;
    for (let i = 0; i < 2; i++) mac[6 + i] = x[6 + i]! ^ amf[i]!;
    return { macA: mac, macS: mac };
  }

  keys(rand: Uint8Array): AkaKeys {
    const x = this.xdout(rand);
    const rotl = (n: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => x[(i + n) % 16]!);
    const ak = x.slice(3, 9);
    return { res: x, ck: rotl(1), ik: rotl(2), ak, akStar: ak };
  }
}

/**
 * Figures and report of the forwarding-CPU benchmark (bench/forwarding-cpu.ts): per-operation
 * CPU and allocations, the CPU profile merged over the measured windows, and the allocation
 * sites of the sampling heap profile.
 */
import { type ProfileSummary, summariseProfile } from './cpu-profile.ts';
import type { HeapProfileNode, Sample } from './forwarding-cpu-sut.ts';
import { table } from './report.ts';

export interface ForwardingCpuOptions {
  rounds: number;
  clients: number;
  /** registrations (two transactions each) per round, offered at `registerRate` per second */
  pairs: number;
  registerRate: number;
  /** calls per round, offered at `callRate` per second */
  calls: number;
  callRate: number;
  /** registrations before the first measured round (and a quarter as many calls): JIT warm-up */
  warmup: number;
  /** measure the floor first: the same rounds through a relay with no SIP work (forwarding-relay.ts) */
  floor: boolean;
  /** sample the eP-CSCF's CPU (V8 profiler) in every measured window */
  profile: boolean;
  /** sample its allocations (V8 sampling heap profiler) in every measured window */
  heap: boolean;
  /** count calls per function of ours (V8 precise coverage) in every measured window */
  countCalls: boolean;
  /**
   * anchor each call's media in a real rtpengine (started here, not measured): the eIMS-AGW in
   * the eP-CSCF's process checks and rewrites the SDP and sends offer, answer and delete over NG
   */
  media: boolean;
}

export interface PhaseFigures {
  /** operations completed (registrations or calls) */
  readonly ops: number;
  readonly failures: number;
  readonly cpuUsPerOp: number;
  readonly bytesPerOp: number;
  readonly gcsPer1k: number;
  readonly gcUsPerOp: number;
}

/** Bytes allocated per function (self), summed over the measured windows, per operation. */
export interface AllocationSite {
  readonly name: string;
  readonly share: number;
}

export interface ForwardingCpuResult {
  readonly node: string;
  readonly options: ForwardingCpuOptions;
  /** the median round of each phase (by CPU per operation), and every round */
  readonly register: PhaseFigures;
  readonly call: PhaseFigures;
  readonly rounds: RoundFigures[];
  /** with `floor`: the same figures for the relay with no SIP work */
  readonly floor?: {
    readonly register: PhaseFigures;
    readonly call: PhaseFigures;
    readonly rounds: RoundFigures[];
  };
  /** with `media`: the rtpengine the calls' media was anchored in */
  readonly media?: string;
  readonly failures: readonly string[];
  readonly coreReceived: Readonly<Record<string, number>>;
  readonly profile?: ProfileSummary;
  readonly allocations?: readonly AllocationSite[];
  /** with `calls`: calls per registration and per call, per function */
  readonly callsPerOp?: readonly CallCount[];
}

export interface RoundFigures {
  readonly register: PhaseFigures;
  readonly call: PhaseFigures;
}

export interface CallCount {
  readonly name: string;
  readonly perRegistration: number;
  readonly perCall: number;
}

export function figures(ops: number, failures: number, s: Sample): PhaseFigures {
  return {
    ops,
    failures,
    cpuUsPerOp: s.cpuUs / ops,
    bytesPerOp: s.allocatedBytes / ops,
    gcsPer1k: (s.gcs * 1000) / ops,
    gcUsPerOp: s.gcUs / ops,
  };
}

export function median(rounds: PhaseFigures[]): PhaseFigures {
  const sorted = [...rounds].sort((a, b) => a.cpuUsPerOp - b.cpuUsPerOp);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (m === undefined) throw new Error('no round measured');
  return m;
}

/** One summary over every measured window: each profile summarised, weighed by its busy samples. */
export function mergedSummary(profiles: readonly Sample['profile'][]): ProfileSummary | undefined {
  const parts = profiles.flatMap((p) => (p === undefined ? [] : [summariseProfile(p)]));
  if (parts.length === 0) return undefined;
  const samples = parts.reduce((t, p) => t + p.samples, 0) || 1;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const p of parts) {
    for (const f of p.functions) {
      self.set(f.name, (self.get(f.name) ?? 0) + f.self * p.samples);
      total.set(f.name, (total.get(f.name) ?? 0) + f.total * p.samples);
    }
    for (const a of p.areas) areas.set(a.area, (areas.get(a.area) ?? 0) + a.self * p.samples);
  }
  return {
    samples,
    functions: [...self.keys()]
      .map((name) => ({
        name,
        self: (self.get(name) ?? 0) / samples,
        total: (total.get(name) ?? 0) / samples,
      }))
      .sort((a, b) => b.self - a.self),
    areas: [...areas.entries()]
      .map(([area, n]) => ({ area, self: n / samples }))
      .sort((a, b) => b.self - a.self),
  };
}

/** Allocated bytes by allocating function (name and file), as shares of all sampled bytes. */
export function allocationSites(heads: readonly (HeapProfileNode | undefined)[]): AllocationSite[] {
  const bytes = new Map<string, number>();
  let all = 0;
  const walk = (n: HeapProfileNode): void => {
    if (n.selfSize > 0) {
      const f = n.callFrame;
      const file = f.url.replace(/^file:\/\/.*?\/(sip|ep-cscf|store|bench|node_modules)\//, '$1/');
      const name = `${f.functionName === '' ? '(anonymous)' : f.functionName} ${file}`.trim();
      bytes.set(name, (bytes.get(name) ?? 0) + n.selfSize);
      all += n.selfSize;
    }
    for (const c of n.children) walk(c);
  };
  for (const h of heads) if (h !== undefined) walk(h);
  return [...bytes.entries()]
    .map(([name, b]) => ({ name, share: b / (all || 1) }))
    .sort((a, b) => b.share - a.share);
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** Calls per registration and per call of each function, summed over the measured windows. */
export function callsPerOp(
  register: readonly Sample[],
  registrations: number,
  call: readonly Sample[],
  calls: number,
): CallCount[] {
  const sum = (samples: readonly Sample[]): Map<string, number> => {
    const total = new Map<string, number>();
    for (const s of samples)
      for (const [name, n] of Object.entries(s.calls ?? {})) total.set(name, (total.get(name) ?? 0) + n);
    return total;
  };
  const r = sum(register);
  const c = sum(call);
  return [...new Set([...r.keys(), ...c.keys()])]
    .map((name) => ({
      name,
      perRegistration: (r.get(name) ?? 0) / (registrations || 1),
      perCall: (c.get(name) ?? 0) / (calls || 1),
    }))
    .sort((a, b) => b.perRegistration + b.perCall - (a.perRegistration + a.perCall));
}

export function formatForwardingCpu(r: ForwardingCpuResult, top = 25): string {
  const o = r.options;
  const row = (name: string, f: PhaseFigures, txPerOp: number): string[] => [
    name,
    String(f.ops),
    f.cpuUsPerOp.toFixed(0),
    (f.cpuUsPerOp / txPerOp).toFixed(0),
    (f.bytesPerOp / 1024).toFixed(1),
    f.gcsPer1k.toFixed(1),
    f.gcUsPerOp.toFixed(1),
    String(f.failures),
  ];
  const each = (rounds: readonly RoundFigures[], pick: (x: RoundFigures) => PhaseFigures): string =>
    rounds.map((x) => pick(x).cpuUsPerOp.toFixed(0)).join(', ');
  const floor = r.floor;
  const callName = r.media === undefined ? 'call (INVITE + BYE, ACK)' : 'call, media in rtpengine';
  const rows = [row('REGISTER pair (401 + 200)', r.register, 2), row(callName, r.call, 2)];
  if (floor !== undefined)
    rows.push(row('floor: REGISTER pair', floor.register, 2), row('floor: call', floor.call, 2));
  const lines = [
    `node ${r.node}; ${o.clients} WebSocket clients; ${o.rounds} round(s) of ${o.pairs} registrations ` +
      `at ${o.registerRate}/s and ${o.calls} calls at ${o.callRate}/s; median round`,
    ...(r.media === undefined
      ? []
      : [
          `media: every call anchored in ${r.media} by the eIMS-AGW (offer, answer, delete over NG; ` +
            "rtpengine's CPU not counted; the floor relays the SDP untouched)",
        ]),
    '',
    ...table(
      ['phase', 'ops', 'CPU µs/op', 'CPU µs/tx', 'alloc kB/op', 'GCs/1k ops', 'GC µs/op', 'failed'],
      rows,
      [false, true, true, true, true, true, true, true],
    ),
    '',
    `every round, CPU µs/op: REGISTER pair ${each(r.rounds, (x) => x.register)}; call ${each(r.rounds, (x) => x.call)}`,
  ];
  if (floor !== undefined) {
    // Messages per operation, each received and sent: a registration's two REGISTERs, 401 and
    // 200; a call's INVITE, ACK and BYE and its 100, 180, 200 and the BYE's 200 (the relay passes
    // the core's 100, the eP-CSCF sends its own).
    const hops = (f: PhaseFigures, n: number): string => (f.cpuUsPerOp / n).toFixed(1);
    lines.push(
      `every round, floor CPU µs/op: REGISTER pair ${each(floor.rounds, (x) => x.register)}; call ${each(floor.rounds, (x) => x.call)}`,
      '',
      'floor = the same traffic through a relay with the same WebSocket and UDP I/O and no SIP work',
      ...table(
        ['phase', 'ours / floor', 'ours µs/message', 'floor µs/message', 'SIP work µs/message'],
        [
          ['REGISTER pair (8 messages)', r.register, floor.register, 8] as const,
          ['call (14 messages)', r.call, floor.call, 14] as const,
        ].map(([name, ours, base, n]) => [
          name,
          `${(ours.cpuUsPerOp / base.cpuUsPerOp).toFixed(2)}x`,
          hops(ours, n),
          hops(base, n),
          ((ours.cpuUsPerOp - base.cpuUsPerOp) / n).toFixed(1),
        ]),
        [false, true, true, true, true],
      ),
    );
  }
  if (r.failures.length > 0) lines.push(`failures: ${[...new Set(r.failures)].join('; ')}`);
  if (r.profile !== undefined) {
    lines.push(
      '',
      `profile: ${r.profile.samples} busy samples (JavaScript-visible time)`,
      ...table(
        ['function', 'self', 'total'],
        r.profile.functions.slice(0, top).map((f) => [f.name, pct(f.self), pct(f.total)]),
        [false, true, true],
      ),
      '',
      ...table(
        ['area', 'self'],
        r.profile.areas.slice(0, 12).map((a) => [a.area, pct(a.self)]),
        [false, true],
      ),
    );
  }
  if (r.allocations !== undefined)
    lines.push(
      '',
      'allocations (sampling heap profiler, share of bytes allocated in the measured windows):',
      ...table(
        ['function', 'bytes'],
        r.allocations.slice(0, top).map((a) => [a.name, pct(a.share)]),
        [false, true],
      ),
    );
  if (r.callsPerOp !== undefined)
    lines.push(
      '',
      'calls per operation (V8 precise coverage):',
      ...table(
        ['function', 'per REGISTER pair', 'per call'],
        r.callsPerOp.slice(0, top).map((c) => [c.name, c.perRegistration.toFixed(2), c.perCall.toFixed(2)]),
        [false, true, true],
      ),
    );
  return lines.join('\n');
}

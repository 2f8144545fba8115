/**
 * Where a system's CPU goes, whole processes, kernel included: Linux `perf` samples every
 * process of the system under test at a fixed rate while a step runs, and the samples are
 * grouped by what ran (the kernel, the runtime, the product's own code, libraries). The V8
 * profile of cpu-profile.ts sees only JavaScript and misses the time Node spends outside it;
 * this sees everything, for ours and for Kamailio alike, so the two can be compared per
 * transaction.
 *
 * Needs `perf` (Debian: linux-perf), the right to sample the kernel (root, or
 * kernel.perf_event_paranoid <= 1: without it the kernel's share would silently be missing) and
 * a `perf record` that works (a container may forbid it); `perfUnavailable` says which is
 * lacking, and the benchmarks then leave the breakdown out. For ours, Node runs with `--perf-basic-prof-only-functions`
 * (PERF_NODE_ARGS) so that perf can name JavaScript functions; the map files Node writes for it
 * (/tmp/perf-PID.map) are removed afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary } from '../conformance/harness/index.ts';

/** Node flags that let perf name JavaScript functions (ours only). */
export const PERF_NODE_ARGS: readonly string[] = ['--perf-basic-prof-only-functions'];

/** Samples per second and process thread (cpu-clock: works in a VM without a PMU). */
const FREQUENCY = 999;

const REPO = fileURLToPath(new URL('../', import.meta.url));

export interface CpuShare {
  readonly category: string;
  /** share of the system's samples, 0..1 */
  readonly share: number;
}

export interface CpuBreakdown {
  readonly samples: number;
  /** largest first */
  readonly shares: readonly CpuShare[];
  /** the largest symbols, each with its category */
  readonly top: readonly { readonly symbol: string; readonly category: string; readonly share: number }[];
}

/** Why a breakdown cannot be taken on this machine, or undefined when it can. */
export function perfUnavailable(): string | undefined {
  const perf = findBinary('perf');
  if (perf === undefined) return 'perf is not installed (Debian: apt-get install -y linux-perf)';
  if (process.getuid?.() !== 0) {
    let paranoid = 2;
    try {
      paranoid = Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
    } catch {}
    if (paranoid > 1)
      return `kernel.perf_event_paranoid is ${paranoid}: perf would not see the kernel's share (run as root, or sysctl kernel.perf_event_paranoid=1)`;
  }
  // A container may forbid perf_event_open whatever the above says: try it once.
  const data = join(tmpdir(), `bench-perf-probe-${process.pid}.data`);
  const probe = spawnSync(perf, ['record', '-q', '-F', String(FREQUENCY), '-o', data, '--', 'true'], {
    encoding: 'utf8',
  });
  rmSync(data, { force: true });
  if (probe.status === 0) return undefined;
  return `perf record does not work here: ${(probe.stderr ?? String(probe.error)).trim().split('\n')[0]}`;
}

/**
 * Each system's breakdown, taken one after the other by `take`; or, when perf cannot take one
 * here, undefined with the reason added to `warnings`: a run says why it has no breakdown rather
 * than showing one without the kernel.
 */
export async function breakdownEach<N, T>(
  names: readonly N[],
  warnings: string[],
  take: (name: N) => Promise<T>,
): Promise<T[] | undefined> {
  const why = perfUnavailable();
  if (why !== undefined) {
    warnings.push(`CPU breakdown not taken: ${why}`);
    return undefined;
  }
  const taken: T[] = [];
  for (const name of names) taken.push(await take(name));
  return taken;
}

/**
 * Samples `pids` (every thread of each) while `during` runs; returns the grouped samples. The
 * recording starts before `during` and stops when it has settled.
 */
export async function recordBreakdown<T>(
  pids: readonly number[],
  kind: 'node' | 'kamailio',
  during: () => Promise<T>,
): Promise<{ result: T; breakdown: CpuBreakdown }> {
  const perf = findBinary('perf');
  if (perf === undefined) throw new Error('perf is not installed');
  const data = join(tmpdir(), `bench-perf-${process.pid}-${Date.now()}.data`);
  const rec = spawn(perf, ['record', '-q', '-F', String(FREQUENCY), '-p', pids.join(','), '-o', data], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  rec.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => rec.on('exit', (code) => resolve(code)));
  try {
    // perf attaches within milliseconds; give it a moment so the step is covered from its start.
    await new Promise((r) => setTimeout(r, 300));
    const result = await during();
    rec.kill('SIGINT');
    const code = await exited;
    if (code !== 0 && code !== null) throw new Error(`perf record exited with ${code}: ${stderr.trim()}`);
    const report = spawnSync(
      perf,
      ['report', '-i', data, '--no-children', '--sort', 'dso,sym', '--stdio', '-g', 'none', '-n', '-t', '|'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (report.status !== 0) throw new Error(`perf report failed: ${report.stderr}`);
    return { result, breakdown: categorise(report.stdout, kind) };
  } finally {
    if (rec.exitCode === null) rec.kill('SIGKILL');
    rmSync(data, { force: true });
    rmSync(`${data}.old`, { force: true });
    if (kind === 'node') for (const pid of pids) rmSync(join(tmpdir(), `perf-${pid}.map`), { force: true });
  }
}

/** One row of `perf report -n -t '|' --sort dso,sym`: overhead | samples | dso | [k] symbol. */
const ROW = /^\s*[\d.]+%\s*\|\s*(\d+)\s*\|([^|]*)\|\s*\[(.)\]\s(.*)$/;

/**
 * Groups the rows of a `perf report` by category. Categories, ours (a Node process): the
 * kernel; the product's JavaScript; Node's own JavaScript (streams, dgram, timers); that of the
 * dependencies (ws, prom-client, pino); V8's builtins (property access, strings, Maps, calls:
 * what compiled JavaScript calls into), its garbage collector, the rest of V8 (runtime,
 * compiler, API); Node's and libuv's C++; the C library. Kamailio: the kernel, its core
 * (parser, script interpreter, TCP and timers), its modules (tm, websocket, ...), OpenSSL, the C
 * library.
 */
export function categorise(report: string, kind: 'node' | 'kamailio'): CpuBreakdown {
  const byCategory = new Map<string, number>();
  const bySymbol = new Map<string, { category: string; samples: number }>();
  let samples = 0;
  for (const line of report.split('\n')) {
    const m = ROW.exec(line);
    if (m === null) continue;
    const n = Number(m[1]);
    const dso = m[2]!.trim();
    const symbol = m[4]!.trim();
    const kernel = m[3] === 'k';
    const category = kind === 'node' ? nodeCategory(dso, kernel, symbol) : kamailioCategory(dso, kernel);
    samples += n;
    byCategory.set(category, (byCategory.get(category) ?? 0) + n);
    const key = `${symbol} (${dso})`;
    const s = bySymbol.get(key);
    if (s === undefined) bySymbol.set(key, { category, samples: n });
    else s.samples += n;
  }
  const share = (n: number): number => (samples === 0 ? 0 : n / samples);
  return {
    samples,
    shares: [...byCategory]
      .map(([category, n]) => ({ category, share: share(n) }))
      .sort((a, b) => b.share - a.share),
    top: [...bySymbol]
      .map(([symbol, s]) => ({ symbol, category: s.category, share: share(s.samples) }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 30),
  };
}

export const CATEGORY = {
  kernel: 'kernel (system calls, loopback network, scheduling)',
  libc: 'C library',
  other: 'other',
  product: 'JavaScript: the product',
  nodeJs: "JavaScript: Node's own (streams, dgram, timers)",
  deps: 'JavaScript: dependencies (ws, prom-client, pino)',
  builtins: 'V8 builtins (property access, strings, Maps, calls)',
  gc: 'V8 garbage collector',
  v8: 'V8 runtime, compiler and API',
  nodeNative: 'Node and libuv (C++)',
  kamailioCore: 'Kamailio core (parser, script, TCP, timers)',
  kamailioModules: 'Kamailio modules (tm, websocket, outbound, ...)',
  openssl: 'OpenSSL',
} as const;

const GC =
  /Heap|Scaveng|MarkCompact|Marking|Sweep|Evacuat|RememberedSet|SlotSet|MemoryAllocator|GCTracer|Space::|ObjectVisitor|MarkingVisitor/;

/** What both kinds of process share: the kernel, the C library, OpenSSL; else undefined. */
function libraryCategory(dso: string, kernel: boolean): string | undefined {
  if (kernel || dso.startsWith('[kernel')) return CATEGORY.kernel;
  if (/^lib(c|m|stdc\+\+|gcc_s|pthread)[.-]/.test(dso)) return CATEGORY.libc;
  if (/^lib(ssl|crypto)\./.test(dso)) return CATEGORY.openssl;
  return undefined;
}

function nodeCategory(dso: string, kernel: boolean, symbol: string): string {
  if (dso.startsWith('[JIT]')) {
    if (symbol.includes('node_modules/')) return CATEGORY.deps;
    if (symbol.includes(`file://${REPO}`) || symbol.includes(` ${REPO}`)) return CATEGORY.product;
    if (symbol.includes(' node:')) return CATEGORY.nodeJs;
    return CATEGORY.builtins; // stubs and bytecode handlers V8 generated at run time
  }
  if (dso === 'node' || dso.endsWith('/node')) {
    if (symbol.startsWith('Builtins_')) return CATEGORY.builtins;
    if (symbol.startsWith('node::') || symbol.startsWith('uv_')) return CATEGORY.nodeNative;
    if (GC.test(symbol)) return CATEGORY.gc;
    return CATEGORY.v8;
  }
  return libraryCategory(dso, kernel) ?? CATEGORY.other;
}

function kamailioCategory(dso: string, kernel: boolean): string {
  if (dso === 'kamailio' || dso.endsWith('/kamailio')) return CATEGORY.kamailioCore;
  const library = libraryCategory(dso, kernel);
  if (library !== undefined) return library;
  // Kamailio's modules are loaded by their bare names (tm.so, websocket.so); libraries carry a version.
  if (/^[a-z0-9_]+\.so$/.test(dso)) return CATEGORY.kamailioModules;
  return CATEGORY.other;
}

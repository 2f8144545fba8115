import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  breakdownEach,
  CATEGORY,
  type CpuBreakdown,
  categorise,
  PERF_NODE_ARGS,
  perfUnavailable,
  recordBreakdown,
} from './cpu-breakdown.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BUSY = fileURLToPath(new URL('./fixtures/cpu-busy.mjs', import.meta.url));

/** Rows as `perf report -n -t '|' --sort dso,sym` prints them. */
const row = (samples: number, dso: string, sym: string, kernel = false): string =>
  ` 1.00%  | ${samples}   |${dso}  |[${kernel ? 'k' : '.'}] ${sym}`;

/** A breakdown's shares by category name. */
const sharesOf = (b: CpuBreakdown): Record<string, number> =>
  Object.fromEntries(b.shares.map((s) => [s.category, s.share]));

describe('CPU breakdown (perf, whole processes)', () => {
  it('[DESIGN-speed-epcscf_cpu_breakdown] groups the samples of a Node process: kernel, the product, Node, dependencies, V8 builtins, GC, the rest of V8, Node C++, libc', () => {
    const report = [
      '# comment',
      row(30, '[kernel.kallsyms]', '_raw_spin_unlock_irqrestore', true),
      row(20, '[JIT] tid 7', `JS:*parseViaParm file://${REPO}sip/message/via.ts:1:1789`),
      row(5, '[JIT] tid 7', `JS:*send ${REPO}node_modules/ws/lib/sender.js:354:7`),
      row(5, '[JIT] tid 7', 'JS:*writeOrBuffer node:internal/streams/writable:548:23'),
      row(10, 'node', 'Builtins_LoadIC'),
      row(4, 'node', 'v8::internal::Scavenger::ScavengeObject'),
      row(6, 'node', 'v8::internal::String::WriteToFlat<unsigned char>'),
      row(10, 'node', 'node::UDPWrap::DoSend'),
      row(10, 'libc.so.6', '__memmove_avx_unaligned_erms'),
    ].join('\n');
    const b = categorise(report, 'node');
    expect(b.samples).toBe(100);
    expect(sharesOf(b)).toEqual({
      [CATEGORY.kernel]: 0.3,
      [CATEGORY.product]: 0.2,
      [CATEGORY.deps]: 0.05,
      [CATEGORY.nodeJs]: 0.05,
      [CATEGORY.builtins]: 0.1,
      [CATEGORY.gc]: 0.04,
      [CATEGORY.v8]: 0.06,
      [CATEGORY.nodeNative]: 0.1,
      [CATEGORY.libc]: 0.1,
    });
    expect(b.shares[0]?.category).toBe(CATEGORY.kernel);
    expect(b.top[1]).toMatchObject({ category: CATEGORY.product, share: 0.2 });
  });

  it('[DESIGN-speed-epcscf_cpu_breakdown] groups the samples of Kamailio: kernel, core, modules, OpenSSL, libc', () => {
    const report = [
      row(50, '[kernel.kallsyms]', 'finish_task_switch.isra.0', true),
      row(25, 'kamailio', 'parse_msg'),
      row(10, 'tm.so', 't_relay_to'),
      row(5, 'websocket.so', 'ws_frame_receive'),
      row(5, 'libcrypto.so.3', 'SHA256_Update'),
      row(5, 'libc.so.6', 'malloc'),
    ].join('\n');
    expect(sharesOf(categorise(report, 'kamailio'))).toEqual({
      [CATEGORY.kernel]: 0.5,
      [CATEGORY.kamailioCore]: 0.25,
      [CATEGORY.kamailioModules]: 0.15,
      [CATEGORY.openssl]: 0.05,
      [CATEGORY.libc]: 0.05,
    });
  });

  const unavailable = perfUnavailable();

  it("[DESIGN-speed-epcscf_cpu_breakdown] takes each system's breakdown in turn where perf works, and otherwise none, with the reason among the warnings", async () => {
    const warnings: string[] = [];
    const asked: string[] = [];
    const taken = await breakdownEach(['ours', 'kamailio'], warnings, async (name) => {
      asked.push(name);
      return name.length;
    });
    const expected =
      unavailable === undefined
        ? { taken: [4, 8], asked: ['ours', 'kamailio'], warnings: [] }
        : { taken: undefined, asked: [], warnings: [`CPU breakdown not taken: ${unavailable}`] };
    expect({ taken, asked, warnings }).toEqual(expected);
  });
  it.skipIf(unavailable !== undefined)(
    `[DESIGN-speed-epcscf_cpu_breakdown] samples a real Node process with perf, names its JavaScript, and leaves no data or map file behind${unavailable === undefined ? '' : ` (not here: ${unavailable})`}`,
    async () => {
      const child = spawn(process.execPath, [...PERF_NODE_ARGS, BUSY], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.once('data', () => resolve());
          child.once('exit', (code) => reject(new Error(`busy child exited with ${code}`)));
        });
        const pid = child.pid!;
        const { result, breakdown } = await recordBreakdown([pid], 'node', async () => {
          await new Promise((r) => setTimeout(r, 1500));
          return 'stepped';
        });
        expect(result).toBe('stepped');
        expect(breakdown.samples).toBeGreaterThan(200);
        const share = (c: string): number => breakdown.shares.find((s) => s.category === c)?.share ?? 0;
        expect(share(CATEGORY.product)).toBeGreaterThan(0.2);
        expect(share(CATEGORY.kernel)).toBeGreaterThan(0);
        expect(breakdown.shares.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 6);
        // The function is named by its file (spin is inlined into the module's loop once optimised).
        expect(
          breakdown.top.some(
            (t) => t.symbol.includes('fixtures/cpu-busy.mjs') && t.category === CATEGORY.product,
          ),
        ).toBe(true);
        expect(existsSync(join(tmpdir(), `perf-${pid}.map`))).toBe(false);
      } finally {
        child.kill('SIGKILL');
      }
    },
    20_000,
  );
});

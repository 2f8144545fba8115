import { describe, expect, it } from 'vitest';
import type { CallsBenchResult } from './calls-bench.ts';
import { formatCallsReport } from './calls-report.ts';
import { goneWithin, runBench, startedGroups } from './cli-run.ts';
import { webrtcAnswerProblem } from './load/call-client.ts';

/**
 * `npm run bench -- --only calls --smoke`: the call benchmark in its tiny mode (10 clients, one
 * step of 10 calls/s for 1.5 s per system), run as the CLI runs it. No test looks at how fast
 * anything is; they check that every call went through each system with a WebRTC answer, that
 * rtpengine holds no call afterwards, and that no process the benchmark started outlives it.
 */

const GROUPS = ['ims-core', 'rtpengine', 'sipp-callee'];

describe('npm run bench -- --only calls --smoke', () => {
  let smoke: CallsBenchResult | undefined;

  it('[DESIGN-speed-calls_bench] places the same calls through our eP-CSCF and through Kamailio to sipp behind the core, none failing, rtpengine empty afterwards', async () => {
    const out = await runBench(['--smoke', '--json', '--only', 'calls']);
    expect(out.code, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout) as CallsBenchResult;
    smoke = r;
    expect(r.mode).toBe('smoke');
    expect(r.systems.map((s) => s.name)).toEqual(['ours', 'kamailio']);
    for (const s of r.systems) {
      expect(s.connect, s.name).toMatchObject({ registered: r.plan.clients, failed: 0 });
      const step = s.smoke;
      if (step === undefined) throw new Error(`${s.name}: no call step`);
      // Every call started was set up and torn down (a failed one would be counted here).
      expect(step.failed, `${s.name} ${JSON.stringify(step.failures)}`).toBe(0);
      expect(step.transactions, s.name).toBeGreaterThan(0);
      // (The system's CPU for 15 calls can be below one clock tick: not checked.)
      // What the browser got: rtpengine's SAVPF + ICE + DTLS answer.
      expect(s.sampleAnswer, s.name).toBeDefined();
      expect(webrtcAnswerProblem(s.sampleAnswer ?? ''), s.name).toBeUndefined();
      expect(s.rtpengineLeft, `${s.name}: calls left in rtpengine`).toBe(0);
    }
    // Per system: an IMS core, rtpengine, the sipp callee and the system; all stopped by now.
    expect(r.processGroups.map((g) => g.name).sort()).toEqual(
      [...GROUPS, ...GROUPS, 'kamailio', 'ours'].sort(),
    );
    expect(
      await goneWithin(
        r.processGroups.map((g) => g.pgid),
        0,
      ),
    ).toEqual([]);
  }, 180_000);

  it('[DESIGN-speed-calls_bench] prints a step row per system and rtpengine left empty', () => {
    if (smoke === undefined) throw new Error('the smoke run above did not produce a result');
    const text = formatCallsReport(smoke);
    expect(text).toMatch(/^machine: .+ \(\d+ cores, \d+ GiB\), node v\d+/);
    for (const name of ['ours', 'kamailio']) {
      expect(text).toMatch(
        new RegExp(`\\| ${name} +\\| +10 \\| +[\\d,]+ \\| +[\\d.]+ \\| +[\\d.]+ \\| +[\\d.]+ \\| +0 \\|`),
      );
      expect(text).toContain(`${name}: 10 registered, 0 failed; rtpengine calls left after the last call: 0`);
    }
    expect(text).toMatch(/^ {4}m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
  });

  it('[DESIGN-speed-calls_cleanup] stops rtpengine, sipp and every other process it started when it is interrupted mid-run', async () => {
    let interrupted = false;
    const out = await runBench(['--smoke', '--only', 'calls'], (stderr, child) => {
      // Interrupt once Kamailio is up, with its clients registering or calling.
      if (!interrupted && /started kamailio \(process group \d+\)/.test(stderr)) {
        interrupted = true;
        child.kill('SIGTERM');
      }
    });
    expect(interrupted).toBe(true);
    expect(out.signal ?? out.code).not.toBe(0);
    const groups = startedGroups(out.stderr);
    expect(groups.map((g) => g.name)).toEqual([...GROUPS, 'ours', ...GROUPS, 'kamailio']);
    expect(
      await goneWithin(
        groups.map((g) => g.pgid),
        5000,
      ),
    ).toEqual([]);
  }, 180_000);
});

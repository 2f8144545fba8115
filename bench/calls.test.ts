import { describe, expect, it } from 'vitest';
import type { CallSystemResult, CallsBenchResult } from './calls-bench.ts';
import { formatCallsReport } from './calls-report.ts';
import { expectAllStopped, interruptedSmoke, smokeReport, smokeSystems } from './cli-run.ts';
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
    const { result: r, steps } = await smokeSystems<CallSystemResult, CallsBenchResult>(
      'calls',
      (x) => x.plan.clients,
    );
    smoke = r;
    // Every call started was set up and torn down. (The system's CPU for 15 calls can be below
    // one clock tick: not checked.)
    for (const [s] of steps) {
      // What the browser got: rtpengine's SAVPF + ICE + DTLS answer.
      expect(s.sampleAnswer, s.name).toBeDefined();
      expect(webrtcAnswerProblem(s.sampleAnswer ?? ''), s.name).toBeUndefined();
      expect(s.rtpengineLeft, `${s.name}: calls left in rtpengine`).toBe(0);
    }
    // Per system: an IMS core, rtpengine, the sipp callee and the system; all stopped by now.
    await expectAllStopped(r.processGroups, [...GROUPS, ...GROUPS, 'kamailio', 'ours']);
  }, 180_000);

  it('[DESIGN-speed-calls_bench] prints a step row per system and rtpengine left empty', () => {
    const text = smokeReport(smoke, formatCallsReport);
    for (const name of ['ours', 'kamailio']) {
      expect(text).toMatch(
        new RegExp(`\\| ${name} +\\| +10 \\| +[\\d,]+ \\| +[\\d.]+ \\| +[\\d.]+ \\| +[\\d.]+ \\| +0 \\|`),
      );
      expect(text).toContain(`${name}: 10 registered, 0 failed; rtpengine calls left after the last call: 0`);
    }
    expect(text).toMatch(/^ {4}m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
  });

  it('[DESIGN-speed-calls_cleanup] stops rtpengine, sipp and every other process it started when it is interrupted mid-run', async () => {
    // Interrupted once Kamailio is up, with its clients registering or calling.
    const run = await interruptedSmoke('calls', /started kamailio \(process group \d+\)/, 5000);
    expect(run.groups).toEqual([...GROUPS, 'ours', ...GROUPS, 'kamailio']);
    expect(run.left).toEqual([]);
  }, 180_000);
});

import { describe, expect, it } from 'vitest';
import { expectAllStopped, interruptedSmoke, smokeReport, smokeSystems } from './cli-run.ts';
import type { EpCscfBenchResult, SystemResult } from './epcscf-bench.ts';
import { formatEpCscfReport } from './epcscf-report.ts';

/**
 * `npm run bench -- --smoke`: the eP-CSCF and Kamailio benchmark in its tiny mode (20 clients,
 * one rate step per system), run as the CLI runs it. No test looks at how fast anything is;
 * they check that both systems were measured, that every registration went through, and that
 * no process the benchmark started outlives it.
 */

describe('npm run bench -- --smoke', () => {
  let smoke: EpCscfBenchResult | undefined;

  it('[DESIGN-speed-epcscf_bench] registers the same clients with digest through our eP-CSCF and through Kamailio, one rate step each, none failing', async () => {
    const { result: r, steps } = await smokeSystems<SystemResult, EpCscfBenchResult>(
      'epcscf',
      (x) => x.plan.rateClients,
    );
    smoke = r;
    for (const [s, step] of steps) {
      // Starved re-registrations (no idle client when one was due) say how fast the system
      // answered on this machine at that moment: a timing figure, not checked here.
      // Every re-registration is two transactions (401, then 200).
      expect(step.transactions % 2, s.name).toBe(0);
      expect(step.sutCpuSeconds, s.name).toBeGreaterThan(0);
    }
    // An IMS core and a system under test per system, all stopped by the time the CLI exits.
    await expectAllStopped(r.processGroups, ['ims-core', 'ims-core', 'kamailio', 'ours']);
  }, 120_000);

  it('[DESIGN-speed-epcscf_bench] prints a table with a row per system', () => {
    const text = smokeReport(smoke, formatEpCscfReport);
    for (const name of ['ours', 'kamailio']) {
      expect(text).toMatch(
        new RegExp(`\\| ${name} +\\| +200 \\| +[\\d,]+ \\| +[\\d.]+ \\| +[\\d.]+ \\| +0 \\| +\\d+ \\|`),
      );
      expect(text).toContain(`${name}: 20 registered, 0 failed`);
    }
  });

  it('[DESIGN-speed-epcscf_cleanup] stops every process it started when it is interrupted mid-run', async () => {
    // Interrupted once the second system (Kamailio) is up, with clients registering.
    const run = await interruptedSmoke('epcscf', /started kamailio \(process group \d+\)/, 3000);
    expect(run.groups).toEqual(['ims-core', 'ours', 'ims-core', 'kamailio']);
    expect(run.left).toEqual([]);
  }, 120_000);
});

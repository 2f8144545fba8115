import { describe, expect, it } from 'vitest';
import { goneWithin, runBench, startedGroups } from './cli-run.ts';
import type { EpCscfBenchResult } from './epcscf-bench.ts';
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
    const out = await runBench(['--smoke', '--json', '--only', 'epcscf']);
    expect(out.code, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout) as EpCscfBenchResult;
    smoke = r;
    expect(r.mode).toBe('smoke');
    expect(r.systems.map((s) => s.name)).toEqual(['ours', 'kamailio']);
    for (const s of r.systems) {
      expect(s.connect, s.name).toMatchObject({ registered: r.plan.rateClients, failed: 0 });
      const step = s.smoke;
      if (step === undefined) throw new Error(`${s.name}: no rate step`);
      expect(step.failed, `${s.name} ${JSON.stringify(step.failures)}`).toBe(0);
      // Starved re-registrations (no idle client when one was due) say how fast the system
      // answered on this machine at that moment: a timing figure, not checked here.
      // Every re-registration is two transactions (401, then 200).
      expect(step.transactions, s.name).toBeGreaterThan(0);
      expect(step.transactions % 2, s.name).toBe(0);
      expect(step.sutCpuSeconds, s.name).toBeGreaterThan(0);
    }
    // An IMS core and a system under test per system, all stopped by the time the CLI exits.
    expect(r.processGroups.map((g) => g.name).sort()).toEqual(['ims-core', 'ims-core', 'kamailio', 'ours']);
    expect(
      await goneWithin(
        r.processGroups.map((g) => g.pgid),
        0,
      ),
    ).toEqual([]);
  }, 120_000);

  it('[DESIGN-speed-epcscf_bench] prints a table with a row per system', () => {
    if (smoke === undefined) throw new Error('the smoke run above did not produce a result');
    const text = formatEpCscfReport(smoke);
    expect(text).toMatch(/^machine: .+ \(\d+ cores, \d+ GiB\), node v\d+/);
    for (const name of ['ours', 'kamailio']) {
      expect(text).toMatch(
        new RegExp(`\\| ${name} +\\| +200 \\| +[\\d,]+ \\| +[\\d.]+ \\| +[\\d.]+ \\| +0 \\| +\\d+ \\|`),
      );
      expect(text).toContain(`${name}: 20 registered, 0 failed`);
    }
  });

  it('[DESIGN-speed-epcscf_cleanup] stops every process it started when it is interrupted mid-run', async () => {
    let interrupted = false;
    const out = await runBench(['--smoke', '--only', 'epcscf'], (stderr, child) => {
      // Interrupt once the second system (Kamailio) is up, with clients registering.
      if (!interrupted && /started kamailio \(process group \d+\)/.test(stderr)) {
        interrupted = true;
        child.kill('SIGTERM');
      }
    });
    expect(interrupted).toBe(true);
    expect(out.signal ?? out.code).not.toBe(0);
    const groups = startedGroups(out.stderr);
    expect(groups.map((g) => g.name)).toEqual(['ims-core', 'ours', 'ims-core', 'kamailio']);
    expect(
      await goneWithin(
        groups.map((g) => g.pgid),
        3000,
      ),
    ).toEqual([]);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { groupAlive } from '../conformance/harness/index.ts';
import { smokeResult } from './cli-run.ts';
import { formatTokensReport, type TokensBenchResult } from './tokens-bench.ts';

/**
 * `npm run bench -- --smoke --only tokens`: the web-credential benchmark in its tiny mode, run
 * as the CLI runs it. Nothing here looks at how fast anything is: it checks that the WAF issued
 * tokens without a failure, that every one of them validated (ours and jose's), and that the WAF
 * process is gone when the CLI exits.
 */
describe('npm run bench -- --smoke --only tokens', () => {
  it('[DESIGN-speed-tokens_bench] issues client_credentials tokens from the WAF started as npm start starts it, validates every one with our validator and with jose, and leaves no process behind', async () => {
    const r = await smokeResult<TokensBenchResult>('tokens');
    expect(r.issuance.issued).toBeGreaterThan(0);
    expect(r.issuance.failed).toBe(0);
    expect(r.validation.tokens).toBe(50);
    expect(r.validation.allValid).toBe(true);
    for (const figure of [r.validation.oursFirstSight, r.validation.oursCached, r.validation.jose])
      expect(figure).toBeGreaterThan(0);
    expect(groupAlive(r.wafProcessGroup)).toBe(false);
    const text = formatTokensReport(r);
    expect(text).toMatch(/\| first sight \(signature \+ claims\) \| \d+\/s \| \d+\/s \| [\d.]+x \|/);
    expect(text).toMatch(/\| tokens\/s \| \d+ \(\d+ issued, 0 failed/);
  }, 120_000);
});

/**
 * `npm run bench [-- --smoke] [-- --json]`: our eP-CSCF side by side with Kamailio as a
 * WebSocket P-CSCF, REGISTER with digest through both to the same kind of IMS core, same load,
 * same CPU (bench/epcscf-bench.ts). Progress on stderr; the report (or --json: the result
 * object) on stdout. Full mode takes about ten minutes, --smoke a few seconds. Every process it
 * starts is stopped before it exits, also on failure or Ctrl-C (the harness's exit guard).
 *
 * Calls (INVITE/180/200/ACK/BYE with rtpengine) are not measured yet: see the HOOK(calls)
 * comments in bench/kamailio/pcscf.cfg and BENCHMARKS.md.
 */
import { parseArgs } from 'node:util';
import { runEpCscfBench } from './epcscf-bench.ts';
import { formatEpCscfReport } from './epcscf-report.ts';
import { inOwnSession, rerunInOwnSession } from './own-session.ts';

const OPTIONS = {
  smoke: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

async function main(argv: string[]): Promise<number> {
  let values: { smoke: boolean; json: boolean };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (!values.smoke && !inOwnSession()) {
    // Full mode takes a scheduling priority for a session of its own (own-session.ts).
    const rerun = rerunInOwnSession();
    if (rerun !== undefined) return rerun;
  }
  try {
    const result = await runEpCscfBench({
      mode: values.smoke ? 'smoke' : 'full',
      log: (line) => process.stderr.write(`bench: ${line}\n`),
    });
    process.stdout.write(
      values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatEpCscfReport(result)}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

/**
 * `npm run bench [-- --smoke] [-- --json] [-- --only epcscf|calls|memory|tokens]`:
 * - epcscf: our eP-CSCF side by side with Kamailio as a WebSocket P-CSCF, REGISTER with digest
 *   through both to the same kind of IMS core, same load, same CPU (bench/epcscf-bench.ts);
 * - calls: the same two systems placing calls (INVITE/180/200/ACK/BYE with a Chrome offer) to
 *   sipp behind the IMS core, media anchored on one shared rtpengine (bench/calls-bench.ts);
 * - memory: memory per idle registered WebSocket client at 1,000 to 100,000 clients, ours as the
 *   product with eP-CSCF worker processes, Kamailio where one process can hold the connections,
 *   the load generator in child processes (bench/memory-bench.ts);
 * - tokens: WAF token issuance per second and bearer validations per second per core, beside
 *   jose's bare jwtVerify (bench/tokens-bench.ts).
 * Progress on stderr; the reports (or --json: the result objects) on stdout. Full mode takes
 * about half an hour, --smoke well under a minute. Every process it starts is stopped before
 * it exits, also on failure or Ctrl-C (the harness's exit guard).
 */
import { parseArgs } from 'node:util';
import { runCallsBench } from './calls-bench.ts';
import { formatCallsReport } from './calls-report.ts';
import { runEpCscfBench } from './epcscf-bench.ts';
import { formatEpCscfReport } from './epcscf-report.ts';
import { runMemoryBench } from './memory-bench.ts';
import { formatMemoryReport } from './memory-report.ts';
import { inOwnSession, rerunInOwnSession } from './own-session.ts';
import { formatTokensReport, runTokensBench } from './tokens-bench.ts';

const BENCHES: readonly string[] = ['epcscf', 'calls', 'memory', 'tokens'];

const OPTIONS = {
  smoke: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  only: { type: 'string' },
} as const;

async function main(argv: string[]): Promise<number> {
  let values: { smoke: boolean; json: boolean; only?: string | undefined };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true }).values;
    if (values.only !== undefined && !BENCHES.includes(values.only))
      throw new Error(`--only takes ${BENCHES.join(', ')}, not ${values.only}`);
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
    const mode = values.smoke ? 'smoke' : 'full';
    const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
    const results: Record<string, unknown> = {};
    const reports: string[] = [];
    const wanted = (name: string): boolean => values.only === undefined || values.only === name;
    if (wanted('epcscf')) {
      const result = await runEpCscfBench({ mode, log });
      results.epcscf = result;
      reports.push(formatEpCscfReport(result));
    }
    if (wanted('calls')) {
      const result = await runCallsBench({ mode, log });
      results.calls = result;
      reports.push(formatCallsReport(result));
    }
    if (wanted('memory')) {
      const result = await runMemoryBench({ mode, log });
      results.memory = result;
      reports.push(formatMemoryReport(result));
    }
    if (wanted('tokens')) {
      const result = await runTokensBench({ mode, log });
      results.tokens = result;
      reports.push(formatTokensReport(result));
    }
    // One benchmark asked for: its result object alone, as before.
    const json = values.only === undefined ? results : Object.values(results)[0];
    process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${reports.join('\n\n')}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

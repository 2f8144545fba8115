/**
 * `npm run bench:parser [-- --smoke] [-- --json]`: parse + serialise throughput of our SIP parser
 * against the npm `sip` package, SIP.js and JsSIP, on the messages of bench/fixtures.ts.
 * Prints an aligned table and the ratio ours / best competitor per message (--json: the
 * result object instead). Exits 1 when a parser fails the pre-timing check.
 */
import { parseArgs } from 'node:util';
import { type BenchMode, runParserBench } from './parser-bench.ts';
import { formatReport } from './report.ts';

const OPTIONS = {
  smoke: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  rounds: { type: 'string' },
} as const;

function main(argv: string[]): number {
  let values: { smoke: boolean; json: boolean; rounds?: string | undefined };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const mode: BenchMode = values.smoke ? 'smoke' : 'full';
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) {
    process.stderr.write(`--rounds must be a positive integer, not '${values.rounds}'\n`);
    return 2;
  }
  try {
    const result = runParserBench({ mode, measure: rounds === undefined ? {} : { rounds } });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReport(result)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));

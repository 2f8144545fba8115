/**
 * `npm run specs [-- --strict] [-- --root <dir>]`: prints requirement coverage per document.
 * Exit 0 normally; with --strict, exit 1 on stale references, unknown tags or malformed
 * catalogue rows; exit 2 on a bad command line.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCoverage } from './coverage-run.ts';

const USAGE = 'usage: tsx specs/coverage.ts [--strict] [--root <repository root>]';

function parseArguments(args: readonly string[]): { strict: boolean; root: string } | string {
  let strict = false;
  let root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--strict') strict = true;
    else if (arg === '--root' && args[i + 1] !== undefined) root = path.resolve(args[++i] ?? '');
    else return `unknown or incomplete argument "${arg}"\n${USAGE}`;
  }
  return { strict, root };
}

const parsed = parseArguments(process.argv.slice(2));
if (typeof parsed === 'string') {
  process.stderr.write(`${parsed}\n`);
  process.exitCode = 2;
} else {
  const run = runCoverage(parsed);
  process.stdout.write(run.report);
  process.exitCode = run.exitCode;
}

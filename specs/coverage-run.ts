/** One run of the coverage check over a repository: load, scan, check, render. */

import { loadCatalogue } from './catalogue.ts';
import { checkCoverage, hasStrictFailures } from './coverage-check.ts';
import { renderReport } from './coverage-report.ts';
import { findTestFiles, scanTestFile } from './test-scanner.ts';

export interface CoverageRunOptions {
  /** Repository root: holds specs/catalogue/ and the test files. */
  readonly root: string;
  /** Fail (exit 1) on stale references, unknown tags and malformed catalogue rows. */
  readonly strict: boolean;
}

export interface CoverageRun {
  readonly report: string;
  readonly exitCode: 0 | 1;
}

export function runCoverage(options: CoverageRunOptions): CoverageRun {
  const catalogue = loadCatalogue(options.root);
  const repositoryTitles = findTestFiles(options.root).flatMap(
    (file) => scanTestFile(options.root, file) ?? [],
  );
  const result = checkCoverage({
    entries: catalogue.entries,
    catalogueProblems: catalogue.problems,
    repositoryTitles,
    scanFile: (file) => scanTestFile(options.root, file),
  });
  const failing = options.strict && hasStrictFailures(result);
  const verdict = failing
    ? 'strict: FAILED (stale references, unknown tags or catalogue problems above)'
    : options.strict
      ? 'strict: ok'
      : '';
  return { report: renderReport(result) + (verdict === '' ? '' : `${verdict}\n`), exitCode: failing ? 1 : 0 };
}

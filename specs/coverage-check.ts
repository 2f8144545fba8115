/**
 * Joins the catalogue with what the tests really say: which requirements are covered, which
 * listed test references are stale, and which tags in tests name no catalogued requirement.
 * Pure: file access is injected so the rules can be tested without a repository.
 */

import type { CatalogueEntry, CatalogueProblem } from './catalogue.ts';
import type { TaggedTitle } from './test-scanner.ts';

export type StaleReason = 'missing-file' | 'no-tag' | 'only-skipped';

export interface StaleReference {
  readonly id: string;
  readonly file: string;
  readonly reason: StaleReason;
}

export interface RequirementStatus {
  readonly entry: CatalogueEntry;
  /** Listed test files that really carry `[id]` in a running test title. */
  readonly coveredBy: readonly string[];
  readonly stale: readonly StaleReference[];
  /** Test files that carry `[id]` in a running test but are not listed in the catalogue. */
  readonly unlisted: readonly string[];
}

export interface UnknownTag {
  readonly id: string;
  readonly file: string;
  readonly line: number;
}

export interface CoverageResult {
  readonly requirements: readonly RequirementStatus[];
  readonly unknownTags: readonly UnknownTag[];
  readonly catalogueProblems: readonly CatalogueProblem[];
}

export interface CoverageInput {
  readonly entries: readonly CatalogueEntry[];
  readonly catalogueProblems: readonly CatalogueProblem[];
  /** Tagged titles of every test file found in the repository. */
  readonly repositoryTitles: readonly TaggedTitle[];
  /** Scans a listed test file; undefined when the file does not exist. */
  readonly scanFile: (file: string) => readonly TaggedTitle[] | undefined;
}

function checkReference(id: string, titles: readonly TaggedTitle[] | undefined): StaleReason | undefined {
  if (titles === undefined) return 'missing-file';
  const tagged = titles.filter((title) => title.ids.includes(id));
  if (tagged.length === 0) return 'no-tag';
  if (tagged.every((title) => title.skipped)) return 'only-skipped';
  return undefined;
}

export function checkCoverage(input: CoverageInput): CoverageResult {
  const scanned = new Map<string, readonly TaggedTitle[] | undefined>();
  const scan = (file: string) => {
    if (!scanned.has(file)) scanned.set(file, input.scanFile(file));
    return scanned.get(file);
  };

  const runningFilesById = new Map<string, Set<string>>();
  for (const title of input.repositoryTitles) {
    if (title.skipped) continue;
    for (const id of title.ids) {
      const files = runningFilesById.get(id) ?? new Set<string>();
      files.add(title.file);
      runningFilesById.set(id, files);
    }
  }

  const requirements = input.entries.map((entry): RequirementStatus => {
    const coveredBy: string[] = [];
    const stale: StaleReference[] = [];
    for (const file of entry.tests) {
      const reason = checkReference(entry.id, scan(file));
      if (reason === undefined) coveredBy.push(file);
      else stale.push({ id: entry.id, file, reason });
    }
    const unlisted = [...(runningFilesById.get(entry.id) ?? [])].filter(
      (file) => !entry.tests.includes(file),
    );
    return { entry, coveredBy, stale, unlisted };
  });

  const known = new Set(input.entries.map((entry) => entry.id));
  const unknownTags: UnknownTag[] = [];
  for (const title of input.repositoryTitles) {
    for (const id of title.ids) {
      if (!known.has(id)) unknownTags.push({ id, file: title.file, line: title.line });
    }
  }

  return { requirements, unknownTags, catalogueProblems: input.catalogueProblems };
}

/** Whether `--strict` fails: a stale reference, an unknown tag or a malformed catalogue row. */
export function hasStrictFailures(result: CoverageResult): boolean {
  return (
    result.catalogueProblems.length > 0 ||
    result.unknownTags.length > 0 ||
    result.requirements.some((status) => status.stale.length > 0)
  );
}

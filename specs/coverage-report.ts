/**
 * Renders a CoverageResult for people: one aligned table of coverage per document, then the
 * lists that need action (uncovered, stale, unknown, malformed, unlisted).
 */

import type { CoverageResult, StaleReason } from './coverage-check.ts';
import { documentOf } from './requirement-id.ts';

export interface DocumentSummary {
  readonly document: string;
  readonly requirements: number;
  readonly covered: number;
  readonly uncovered: number;
  /** Stale test references (not requirements): one requirement may have several. */
  readonly stale: number;
}

const STALE_REASON: Record<StaleReason, string> = {
  'missing-file': 'test file does not exist',
  'no-tag': 'no it/test/describe title in the file carries the tag',
  'only-skipped': 'the tag is only on skipped/todo/fails tests',
};

/** One row per document prefix, sorted by name. */
export function summariseByDocument(result: CoverageResult): DocumentSummary[] {
  const byDocument = new Map<string, { requirements: number; covered: number; stale: number }>();
  for (const status of result.requirements) {
    const document = documentOf(status.entry.id);
    const row = byDocument.get(document) ?? { requirements: 0, covered: 0, stale: 0 };
    row.requirements++;
    if (status.coveredBy.length > 0) row.covered++;
    row.stale += status.stale.length;
    byDocument.set(document, row);
  }
  return [...byDocument.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([document, row]) => ({ document, ...row, uncovered: row.requirements - row.covered }));
}

/** Pads each column to its widest cell; numeric columns are right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => /^(\d|-$)/.test(row[column] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function percent(covered: number, total: number): string {
  return total === 0 ? '-' : `${Math.round((covered * 100) / total)}%`;
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', `${title} (${lines.length}):`, ...lines.map((text) => `  ${text}`)];
}

export function renderReport(result: CoverageResult): string {
  const summaries = summariseByDocument(result);
  const total = summaries.reduce(
    (sum, row) => ({
      requirements: sum.requirements + row.requirements,
      covered: sum.covered + row.covered,
      uncovered: sum.uncovered + row.uncovered,
      stale: sum.stale + row.stale,
    }),
    { requirements: 0, covered: 0, uncovered: 0, stale: 0 },
  );
  const toCells = (name: string, row: Omit<DocumentSummary, 'document'>) => [
    name,
    String(row.requirements),
    String(row.covered),
    String(row.uncovered),
    String(row.stale),
    percent(row.covered, row.requirements),
  ];
  const table = renderTable(
    ['document', 'requirements', 'covered', 'uncovered', 'stale', 'coverage'],
    [...summaries.map((row) => toCells(row.document, row)), toCells('total', total)],
  );

  const uncovered = result.requirements
    .filter((status) => status.coveredBy.length === 0)
    .map((status) => `${status.entry.id}  (${status.entry.role}, ${status.entry.file}:${status.entry.line})`);
  const stale = result.requirements.flatMap((status) =>
    status.stale.map((ref) => `${ref.id} -> ${ref.file}: ${STALE_REASON[ref.reason]}`),
  );
  const placesById = new Map<string, string[]>();
  for (const tag of result.unknownTags) {
    placesById.set(tag.id, [...(placesById.get(tag.id) ?? []), `${tag.file}:${tag.line}`]);
  }
  const unknown = [...placesById].map(([id, places]) => `[${id}] in ${places.join(', ')}`);
  const problems = result.catalogueProblems.map(
    (problem) => `${problem.file}:${problem.line}: ${problem.message}`,
  );
  const unlisted = result.requirements.flatMap((status) =>
    status.unlisted.map((file) => `${status.entry.id} is tagged in ${file}: add it to the tests column`),
  );

  return [
    table,
    ...section('Uncovered requirements', uncovered),
    ...section('Stale test references', stale),
    ...section('Tags in tests that are not in the catalogue', unknown),
    ...section('Catalogue problems', problems),
    ...section('Tagged in tests but not listed', unlisted),
    '',
  ].join('\n');
}

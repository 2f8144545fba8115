import { readFileSync } from 'node:fs';
import type { EnvVar } from './config.ts';

/**
 * The `| name | meaning | default | required |` table of a README, as [name, default, required]
 * rows, and the rows a schema says it should have: each role's config test compares the two so
 * the documented variables cannot drift from the code.
 */
export function readmeEnvRows(readme: URL): { rows: string[][]; meanings: string[] } {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const start = lines.findIndex((line) =>
    /^\|\s*name\s*\|\s*meaning\s*\|\s*default\s*\|\s*required\s*\|/.test(line),
  );
  const rows: string[][] = [];
  const meanings: string[] = [];
  if (start < 0) return { rows, meanings };
  for (let i = start + 2; i < lines.length && lines[i]?.startsWith('|'); i++) {
    const cells = (lines[i] ?? '')
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1'));
    const [name = '', meaning = '', fallback = '', required = ''] = cells;
    rows.push([name, fallback === '—' ? '' : fallback, required]);
    meanings.push(meaning);
  }
  return { rows, meanings };
}

export function schemaEnvRows(schema: Record<string, EnvVar<unknown>>): string[][] {
  return Object.values(schema).map((spec) => [
    spec.env,
    spec.default ?? '',
    spec.default === undefined ? 'yes' : 'no',
  ]);
}

/** The README table for a schema (used to write the README; the test keeps it in step). */
export function formatEnvTable(schema: Record<string, EnvVar<unknown>>): string {
  const rows = Object.values(schema).map(
    (s) =>
      `| \`${s.env}\` | ${s.meaning} | ${s.default === undefined ? '—' : s.default === '' ? '—' : `\`${s.default}\``} | ${s.default === undefined ? 'yes' : 'no'} |`,
  );
  return ['| name | meaning | default | required |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * The requirement catalogue: `specs/catalogue/*.md`, each file holding one markdown table
 * `| id | role | requirement | tests |`. This module parses those files into typed entries and
 * reports every malformed row with its file and line; it never throws on bad input.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isRequirementId } from './requirement-id.ts';

/** Roles a requirement can belong to: the role folders, the shared libraries, and the harness. */
export const KNOWN_ROLES = [
  'sip',
  'store',
  'token',
  'ep-cscf',
  'eims-agw',
  'waf',
  'wwsf',
  'xmpp',
  'conformance',
  'app',
] as const;
export type Role = (typeof KNOWN_ROLES)[number];

export interface CatalogueEntry {
  readonly id: string;
  readonly role: Role;
  /** Our own one-line wording of the requirement. */
  readonly requirement: string;
  /** Repo-relative paths of test files whose test titles carry `[id]`. */
  readonly tests: readonly string[];
  /** Repo-relative catalogue file and 1-based line of the row. */
  readonly file: string;
  readonly line: number;
}

export interface CatalogueProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface Catalogue {
  readonly entries: readonly CatalogueEntry[];
  readonly problems: readonly CatalogueProblem[];
}

const HEADER = ['id', 'role', 'requirement', 'tests'];
const SEPARATOR_CELL = /^:?-{3,}:?$/;
/** Written in the tests column to say "no test yet". */
const NO_TESTS = new Set(['', '-', '—']);

function isRole(text: string): text is Role {
  return (KNOWN_ROLES as readonly string[]).includes(text);
}

/** Splits `| a | b \| c |` into trimmed cells, honouring `\|` escapes. */
export function splitTableRow(line: string): string[] {
  const body = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '\\' && body[i + 1] === '|') {
      current += '|';
      i++;
    } else if (char === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current.trim());
  return cells;
}

function parseTestPaths(cell: string): string[] {
  if (NO_TESTS.has(cell.trim())) return [];
  return cell
    .split(',')
    .map((part) => part.trim().replace(/^`(.*)`$/, '$1'))
    .filter((part) => part !== '');
}

function testPathProblem(testPath: string): string | undefined {
  if (path.isAbsolute(testPath)) return `test path "${testPath}" must be repo-relative, not absolute`;
  if (testPath.split(/[\\/]/).includes('..')) return `test path "${testPath}" must not leave the repository`;
  return undefined;
}

function parseRow(cells: string[], file: string, line: number, problems: CatalogueProblem[]) {
  const problem = (message: string) => problems.push({ file, line, message });
  if (cells.length !== HEADER.length) {
    problem(`row has ${cells.length} cells, expected ${HEADER.length} (id, role, requirement, tests)`);
    return undefined;
  }
  const [id = '', role = '', requirement = '', tests = ''] = cells;
  let ok = true;
  if (!isRequirementId(id)) {
    problem(`id "${id}" is not of the form <DOC>-<clause>-<slug>, e.g. RFC3261-17.1.1.2-timerA`);
    ok = false;
  }
  if (!isRole(role)) {
    problem(`id ${id}: unknown role "${role}" (known: ${KNOWN_ROLES.join(', ')})`);
    ok = false;
  }
  if (requirement === '') {
    problem(`id ${id}: the requirement wording is empty`);
    ok = false;
  }
  const testPaths = parseTestPaths(tests);
  for (const testPath of testPaths) {
    const message = testPathProblem(testPath);
    if (message !== undefined) {
      problem(`id ${id}: ${message}`);
      ok = false;
    }
  }
  if (!ok || !isRole(role)) return undefined;
  const entry: CatalogueEntry = { id, role, requirement, tests: testPaths, file, line };
  return entry;
}

function isTableLine(line: string): boolean {
  return line.trimStart().startsWith('|');
}

/** Parses one catalogue file. `file` is the repo-relative name used in problems. */
export function parseCatalogueFile(text: string, file: string): Catalogue {
  const lines = text.split(/\r?\n/);
  const entries: CatalogueEntry[] = [];
  const problems: CatalogueProblem[] = [];
  let tables = 0;
  let i = 0;
  while (i < lines.length) {
    if (!isTableLine(lines[i] ?? '')) {
      i++;
      continue;
    }
    tables++;
    const headerLine = i + 1;
    const header = splitTableRow(lines[i] ?? '').map((cell) => cell.toLowerCase());
    const separator = splitTableRow(lines[i + 1] ?? '');
    const tableOk =
      header.join('|') === HEADER.join('|') &&
      separator.length === HEADER.length &&
      separator.every((cell) => SEPARATOR_CELL.test(cell));
    if (tables > 1) {
      problems.push({ file, line: headerLine, message: 'more than one table: a catalogue file holds one' });
    } else if (!tableOk) {
      problems.push({
        file,
        line: headerLine,
        message: 'table must start with "| id | role | requirement | tests |" and a "|---|---|---|---|" line',
      });
    }
    i += 2;
    for (; i < lines.length && isTableLine(lines[i] ?? ''); i++) {
      if (tables > 1 || !tableOk) continue;
      const entry = parseRow(splitTableRow(lines[i] ?? ''), file, i + 1, problems);
      if (entry !== undefined) entries.push(entry);
    }
  }
  if (tables === 0) problems.push({ file, line: 1, message: 'no requirement table found' });
  return { entries, problems };
}

/** Cross-file checks: ids are unique across the whole catalogue. */
export function findDuplicateIds(entries: readonly CatalogueEntry[]): CatalogueProblem[] {
  const firstSeen = new Map<string, CatalogueEntry>();
  const problems: CatalogueProblem[] = [];
  for (const entry of entries) {
    const first = firstSeen.get(entry.id);
    if (first === undefined) {
      firstSeen.set(entry.id, entry);
    } else {
      problems.push({
        file: entry.file,
        line: entry.line,
        message: `duplicate id ${entry.id} (first at ${first.file}:${first.line})`,
      });
    }
  }
  return problems;
}

/**
 * Reads every `*.md` file of `<root>/specs/catalogue` (except README.md), in name order.
 * Duplicate ids are reported and only their first row is kept.
 */
export function loadCatalogue(root: string): Catalogue {
  const dir = path.join(root, 'specs', 'catalogue');
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.md') && name.toLowerCase() !== 'readme.md');
  } catch {
    return { entries: [], problems: [{ file: 'specs/catalogue', line: 0, message: 'folder not found' }] };
  }
  const entries: CatalogueEntry[] = [];
  const problems: CatalogueProblem[] = [];
  for (const name of names.sort()) {
    const file = `specs/catalogue/${name}`;
    const parsed = parseCatalogueFile(readFileSync(path.join(dir, name), 'utf8'), file);
    entries.push(...parsed.entries);
    problems.push(...parsed.problems);
  }
  const duplicates = findDuplicateIds(entries);
  const unique = entries.filter(
    (entry) => !duplicates.some((dup) => dup.file === entry.file && dup.line === entry.line),
  );
  return { entries: unique, problems: [...problems, ...duplicates] };
}

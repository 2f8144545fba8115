import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from './catalogue.ts';
import { checkCoverage, hasStrictFailures } from './coverage-check.ts';
import type { TaggedTitle } from './test-scanner.ts';

function entry(id: string, tests: string[]): CatalogueEntry {
  return { id, role: 'sip', requirement: 'wording', tests, file: 'specs/catalogue/t.md', line: 3 };
}

function title(file: string, ids: string[], skipped = false): TaggedTitle {
  return { file, line: 1, title: ids.map((id) => `[${id}]`).join(' '), skipped, ids };
}

function check(entries: CatalogueEntry[], titles: TaggedTitle[]) {
  const byFile = new Map<string, TaggedTitle[]>();
  for (const t of titles) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t]);
  return checkCoverage({
    entries,
    catalogueProblems: [],
    repositoryTitles: titles,
    scanFile: (file) => byFile.get(file) ?? (file.startsWith('empty') ? [] : undefined),
  });
}

describe('coverage check', () => {
  it('counts a requirement as covered only through a listed file that tags it in a running test', () => {
    const result = check([entry('RFC1-1-a', ['a.test.ts'])], [title('a.test.ts', ['RFC1-1-a'])]);
    expect(result.requirements[0]?.coveredBy).toEqual(['a.test.ts']);
    expect(result.requirements[0]?.stale).toEqual([]);
    expect(hasStrictFailures(result)).toBe(false);
  });

  it('reports a listed file that is missing, lacks the tag, or has it only on skipped tests as stale', () => {
    const result = check(
      [entry('RFC1-1-a', ['gone.test.ts', 'empty.test.ts', 'skip.test.ts'])],
      [title('skip.test.ts', ['RFC1-1-a'], true)],
    );
    const status = result.requirements[0];
    expect(status?.coveredBy).toEqual([]);
    expect(status?.stale.map((ref) => [ref.file, ref.reason])).toEqual([
      ['gone.test.ts', 'missing-file'],
      ['empty.test.ts', 'no-tag'],
      ['skip.test.ts', 'only-skipped'],
    ]);
    expect(hasStrictFailures(result)).toBe(true);
  });

  it('reports tags that name no catalogued requirement, even on skipped tests', () => {
    const result = check(
      [entry('RFC1-1-a', [])],
      [title('x.test.ts', ['RFC1-1-a', 'RFC1-1-typo']), title('y.test.ts', ['RFC9-9-z'], true)],
    );
    expect(result.unknownTags.map((tag) => [tag.id, tag.file])).toEqual([
      ['RFC1-1-typo', 'x.test.ts'],
      ['RFC9-9-z', 'y.test.ts'],
    ]);
    expect(hasStrictFailures(result)).toBe(true);
  });

  it('lists files that tag a requirement without being in its tests column, and does not count them', () => {
    const result = check([entry('RFC1-1-a', [])], [title('x.test.ts', ['RFC1-1-a'])]);
    expect(result.requirements[0]?.unlisted).toEqual(['x.test.ts']);
    expect(result.requirements[0]?.coveredBy).toEqual([]);
    expect(hasStrictFailures(result)).toBe(false);
  });

  it('fails strict mode on a catalogue problem alone', () => {
    const result = checkCoverage({
      entries: [],
      catalogueProblems: [{ file: 'c.md', line: 1, message: 'no requirement table found' }],
      repositoryTitles: [],
      scanFile: () => undefined,
    });
    expect(hasStrictFailures(result)).toBe(true);
  });
});

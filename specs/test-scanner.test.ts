import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findTestFiles, scanTestFile, scanTestSource } from './test-scanner.ts';

function tagsOf(source: string) {
  return scanTestSource(source, 'x.test.ts').map((title) => ({
    line: title.line,
    ids: title.ids,
    skipped: title.skipped,
  }));
}

describe('test scanner', () => {
  it('finds tags in it, test and describe titles, with their lines', () => {
    const source = [
      "describe('[RFC1-1-a] group', () => {",
      "  it('[RFC1-1-b] [TS2-3.4-c] two tags', () => {});",
      '  test(`[RFC1-1-d] template title`, () => {});',
      "  it('no tag here', () => {});",
      '});',
    ].join('\n');
    expect(tagsOf(source)).toEqual([
      { line: 1, ids: ['RFC1-1-a'], skipped: false },
      { line: 2, ids: ['RFC1-1-b', 'TS2-3.4-c'], skipped: false },
      { line: 3, ids: ['RFC1-1-d'], skipped: false },
    ]);
  });

  it('ignores tags in comments, plain strings, fixture text and calls of other functions', () => {
    const source = [
      "// it('[RFC1-1-comment] x')",
      "const s = '[RFC1-1-string]';",
      "const fixture = `it('[RFC1-1-fixture] x', () => {})`;",
      "expect('[RFC1-1-expect]').toBe(s);",
      "bench('[RFC1-1-bench] x', () => {});",
      "it('title without id [not-a-tag] [RFC1234]', () => {});",
    ].join('\n');
    expect(tagsOf(source)).toEqual([]);
  });

  it('marks skip, todo and fails titles as skipped and sees through each, skipIf and only', () => {
    const source = [
      "it.skip('[RFC1-1-a] x', () => {});",
      "it.todo('[RFC1-1-b] x');",
      "test.fails('[RFC1-1-c] x', () => {});",
      "describe.skip('[RFC1-1-d] x', () => {});",
      "it.each([1, 2])('[RFC1-1-e] case %i', () => {});",
      "test.skipIf(process.env.CI)('[RFC1-1-f] x', () => {});",
      "describe.only('[RFC1-1-g] x', () => {});",
      'it.each`a\n$' + "{1}`('[RFC1-1-h] x', () => {});",
      "it.concurrent.skip('[RFC1-1-i] x', () => {});",
    ].join('\n');
    const found = scanTestSource(source, 'x.test.ts').map((title) => [title.ids[0], title.skipped]);
    expect(found).toEqual([
      ['RFC1-1-a', true],
      ['RFC1-1-b', true],
      ['RFC1-1-c', true],
      ['RFC1-1-d', true],
      ['RFC1-1-e', false],
      ['RFC1-1-f', false],
      ['RFC1-1-g', false],
      ['RFC1-1-h', false],
      ['RFC1-1-i', true],
    ]);
  });

  it('reads the static parts of a template title with substitutions', () => {
    const source = 'for (const n of [1]) it(`[RFC1-1-a] case $' + '{n} [RFC1-1-b]`, () => {});';
    expect(tagsOf(source)).toEqual([{ line: 1, ids: ['RFC1-1-a', 'RFC1-1-b'], skipped: false }]);
  });
});

describe('test file discovery', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists every *.test.ts outside node_modules and dot folders, sorted, with / separators', () => {
    root = mkdtempSync(path.join(tmpdir(), 'scanner-'));
    const files = [
      'b/deep/z.test.ts',
      'a.test.ts',
      'node_modules/pkg/x.test.ts',
      '.git/y.test.ts',
      'b/helper.ts',
      'b/c.test.tsx',
    ];
    for (const file of files) {
      mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
      writeFileSync(path.join(root, file), "it('[RFC1-1-a] x', () => {});\n");
    }
    expect(findTestFiles(root)).toEqual(['a.test.ts', 'b/deep/z.test.ts']);
    expect(scanTestFile(root, 'b/deep/z.test.ts')?.[0]?.file).toBe('b/deep/z.test.ts');
    expect(scanTestFile(root, 'missing.test.ts')).toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalogue, parseCatalogueFile, splitTableRow } from './catalogue.ts';

const HEAD = '# Area\n\n| id | role | requirement | tests |\n|---|---|---|---|\n';

describe('catalogue parser', () => {
  it('reads each row into an entry with its file, line and test paths', () => {
    const text =
      HEAD +
      '| RFC3261-17.1.1.2-timerA | sip | INVITE retransmits at T1. | sip/a.test.ts, `sip/b.test.ts` |\n' +
      '| TS24229-5.2.2-path | ep-cscf | Adds Path. | — |\n';
    const { entries, problems } = parseCatalogueFile(text, 'specs/catalogue/x.md');
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        id: 'RFC3261-17.1.1.2-timerA',
        role: 'sip',
        requirement: 'INVITE retransmits at T1.',
        tests: ['sip/a.test.ts', 'sip/b.test.ts'],
        file: 'specs/catalogue/x.md',
        line: 5,
      },
      {
        id: 'TS24229-5.2.2-path',
        role: 'ep-cscf',
        requirement: 'Adds Path.',
        tests: [],
        file: 'specs/catalogue/x.md',
        line: 6,
      },
    ]);
  });

  it('keeps an escaped pipe inside the requirement wording', () => {
    expect(splitTableRow('| a | b \\| c | d |')).toEqual(['a', 'b | c', 'd']);
  });

  it('rejects a malformed id, an unknown role, empty wording and a wrong cell count, naming the line', () => {
    const text =
      HEAD +
      '| rfc3261-timer | sip | x | |\n' +
      '| RFC3261-8.1-vias | proxy | x | |\n' +
      '| RFC3261-8.1-empty | sip |  | |\n' +
      '| RFC3261-8.1-short | sip | x |\n';
    const { entries, problems } = parseCatalogueFile(text, 'c.md');
    expect(entries).toEqual([]);
    expect(problems.map((problem) => [problem.line, problem.message])).toEqual([
      [5, expect.stringContaining('id "rfc3261-timer" is not of the form')],
      [6, expect.stringContaining('unknown role "proxy"')],
      [7, expect.stringContaining('requirement wording is empty')],
      [8, expect.stringContaining('row has 3 cells, expected 4')],
    ]);
  });

  it('rejects test paths that are absolute or leave the repository', () => {
    const text = HEAD + '| RFC3261-8.1-abs | sip | x | /etc/a.test.ts, ../b.test.ts |\n';
    const { entries, problems } = parseCatalogueFile(text, 'c.md');
    expect(entries).toEqual([]);
    expect(problems).toHaveLength(2);
  });

  it('reports a file without a table, with a wrong header, or with two tables', () => {
    expect(parseCatalogueFile('# nothing here\n', 'a.md').problems[0]?.message).toMatch(
      /no requirement table/,
    );
    const wrongHeader = '| id | owner | requirement | tests |\n|---|---|---|---|\n| RFC1-1-a | sip | x | |\n';
    const parsed = parseCatalogueFile(wrongHeader, 'b.md');
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems[0]?.message).toMatch(/must start with/);
    const twoTables = `${HEAD}| RFC1-1-a | sip | x | |\n\ntext\n\n${HEAD.slice(8)}| RFC1-1-b | sip | y | |\n`;
    const two = parseCatalogueFile(twoTables, 'c.md');
    expect(two.entries.map((entry) => entry.id)).toEqual(['RFC1-1-a']);
    expect(two.problems).toEqual([
      { file: 'c.md', line: 9, message: expect.stringMatching(/more than one table/) },
    ]);
  });
});

describe('loadCatalogue', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads every catalogue file but README.md and reports an id used twice, keeping the first', () => {
    root = mkdtempSync(path.join(tmpdir(), 'catalogue-'));
    const dir = path.join(root, 'specs', 'catalogue');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'a.md'), `${HEAD}| RFC1-1-same | sip | first | |\n`);
    writeFileSync(
      path.join(dir, 'b.md'),
      `${HEAD}| RFC1-1-same | waf | second | |\n| RFC1-2-other | waf | z | |\n`,
    );
    writeFileSync(path.join(dir, 'README.md'), 'no table here\n');
    const { entries, problems } = loadCatalogue(root);
    expect(entries.map((entry) => [entry.id, entry.requirement])).toEqual([
      ['RFC1-1-same', 'first'],
      ['RFC1-2-other', 'z'],
    ]);
    expect(problems).toEqual([
      {
        file: 'specs/catalogue/b.md',
        line: 5,
        message: 'duplicate id RFC1-1-same (first at specs/catalogue/a.md:5)',
      },
    ]);
  });
});

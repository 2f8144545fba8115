import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from './catalogue.ts';
import type { CoverageResult, RequirementStatus } from './coverage-check.ts';
import { renderReport, renderTable, summariseByDocument } from './coverage-report.ts';

function status(id: string, covered: boolean, staleCount = 0): RequirementStatus {
  const entry: CatalogueEntry = {
    id,
    role: 'sip',
    requirement: 'r',
    tests: [],
    file: 'specs/catalogue/t.md',
    line: 7,
  };
  return {
    entry,
    coveredBy: covered ? ['a.test.ts'] : [],
    stale: Array.from({ length: staleCount }, (_, i) => ({
      id,
      file: `s${i}.test.ts`,
      reason: 'no-tag' as const,
    })),
    unlisted: [],
  };
}

const RESULT: CoverageResult = {
  requirements: [
    status('TS24229-5.2.2-path', false, 1),
    status('RFC3261-8.1-a', true),
    status('RFC3261-8.2-b', false, 2),
    status('RFC3261-8.3-c', true),
  ],
  unknownTags: [
    { id: 'RFC3261-9-typo', file: 'sip/x.test.ts', line: 12 },
    { id: 'RFC3261-9-other', file: 'sip/y.test.ts', line: 3 },
    { id: 'RFC3261-9-typo', file: 'sip/x.test.ts', line: 20 },
  ],
  catalogueProblems: [{ file: 'specs/catalogue/bad.md', line: 4, message: 'unknown role "proxy"' }],
};

describe('coverage report', () => {
  it('summarises requirements, covered, uncovered and stale references per document, sorted', () => {
    expect(summariseByDocument(RESULT)).toEqual([
      { document: 'RFC3261', requirements: 3, covered: 2, uncovered: 1, stale: 2 },
      { document: 'TS24229', requirements: 1, covered: 0, uncovered: 1, stale: 1 },
    ]);
  });

  it('aligns every column, numbers to the right', () => {
    const text = renderTable(
      ['name', 'count'],
      [
        ['a', '5'],
        ['longer', '120'],
      ],
    );
    expect(text.split('\n')).toEqual(['name    count', '------  -----', 'a           5', 'longer    120']);
  });

  it('prints the table with a total row, then every uncovered, stale, unknown and malformed item', () => {
    const report = renderReport(RESULT);
    const lines = report.split('\n');
    expect(lines[0]).toMatch(/^document\s+requirements\s+covered\s+uncovered\s+stale\s+coverage$/);
    expect(lines).toContainEqual(expect.stringMatching(/^RFC3261\s+3\s+2\s+1\s+2\s+67%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^total\s+4\s+2\s+2\s+3\s+50%$/));
    expect(report).toContain(
      'Uncovered requirements (2):\n  TS24229-5.2.2-path  (sip, specs/catalogue/t.md:7)',
    );
    expect(report).toContain('Stale test references (3):');
    expect(report).toContain(
      'RFC3261-8.2-b -> s1.test.ts: no it/test/describe title in the file carries the tag',
    );
    expect(report).toContain(
      'Tags in tests that are not in the catalogue (2):\n' +
        '  [RFC3261-9-typo] in sip/x.test.ts:12, sip/x.test.ts:20\n' +
        '  [RFC3261-9-other] in sip/y.test.ts:3',
    );
    expect(report).toContain('Catalogue problems (1):\n  specs/catalogue/bad.md:4: unknown role "proxy"');
  });
});

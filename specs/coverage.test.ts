import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCoverage } from './coverage-run.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function write(root: string, file: string, text: string): void {
  mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** Runs the real command line, as `npm run specs` does, against a fixture repository. */
function cli(root: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'specs/coverage.ts', '--root', root, ...args], {
    cwd: REPO,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const CATALOGUE = [
  '# Fixture',
  '| id | role | requirement | tests |',
  '|---|---|---|---|',
  '| RFC3261-8.1-covered | sip | Covered by a real test. | sip/a.test.ts |',
  '| RFC3261-8.2-uncovered | sip | No test yet. | |',
  '',
].join('\n');

describe('npm run specs', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'specs-'));
    write(root, 'specs/catalogue/fixture.md', CATALOGUE);
    write(root, 'sip/a.test.ts', "it('[RFC3261-8.1-covered] does it', () => {});\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('exits 0 in strict mode when references are sound, even with uncovered requirements', () => {
    const run = cli(root, '--strict');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^RFC3261\s+2\s+1\s+1\s+0\s+50%$/m);
    expect(run.stdout).toContain('RFC3261-8.2-uncovered');
    expect(run.stdout).toContain('strict: ok');
  });

  it('exits 1 in strict mode on a stale reference or an unknown tag, and 0 without --strict', () => {
    write(root, 'sip/a.test.ts', "it('[RFC3261-8.1-renamed] does it', () => {});\n");
    const strict = cli(root, '--strict');
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('RFC3261-8.1-covered -> sip/a.test.ts');
    expect(strict.stdout).toContain('not in the catalogue (1):\n  [RFC3261-8.1-renamed] in sip/a.test.ts:1');
    expect(cli(root).status).toBe(0);
  });

  it('exits 2 and prints the usage on an unknown argument', () => {
    const run = cli(root, '--stict');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown or incomplete argument "--stict"');
  });

  it('gives the same verdict in-process', () => {
    write(root, 'conformance/w2/b.test.ts', "it('[HARNESS-1-stray] x', () => {});\n");
    const run = runCoverage({ root, strict: true });
    expect(run.exitCode).toBe(1);
    expect(run.report).toContain('[HARNESS-1-stray] in conformance/w2/b.test.ts:1');
  });
});

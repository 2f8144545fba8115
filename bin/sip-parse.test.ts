import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const VECTORS = resolve(ROOT, '../shared/vectors/rfc4475');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

async function parseFile(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [resolve(ROOT, 'bin/sip-parse.ts'), file], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm run sip:parse', () => {
  it('[TOOL-sip-parse-ok] prints a valid message as JSON and exits 0', async () => {
    const r = await parseFile(resolve(VECTORS, 'wsinv.dat'));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      message: { method: string; maxForwards: number; cseq: unknown };
    };
    expect(out.ok).toBe(true);
    expect(out.message.method).toBe('INVITE');
    expect(out.message.maxForwards).toBe(68);
    expect(out.message.cseq).toEqual({ seq: 9, method: 'INVITE' });
  });

  it('[TOOL-sip-parse-fault] prints the precise fault and exits 1', async () => {
    const r = await parseFile(resolve(VECTORS, 'badvers.dat'));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; fault: { status: number; code: string } };
    expect(out.fault).toMatchObject({ status: 505, code: 'version' });
    expect(r.stderr).toMatch(/SIP\/7\.0 is not supported/);
  });

  it('[TOOL-sip-parse-fault] reports faults in lazily parsed headers too (Date zone)', async () => {
    const r = await parseFile(resolve(VECTORS, 'baddate.dat'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).fault).toMatchObject({ status: 400, header: 'Date' });
  });
});

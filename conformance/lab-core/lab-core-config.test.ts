import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../../app/config.ts';
import { LAB_CORE_SCHEMA } from './lab-core-config.ts';

describe('lab core configuration', () => {
  it('[LABCORE-config-env] reads every setting from the environment with documented defaults, naming the variable at fault', () => {
    const ok = readEnvironment(LAB_CORE_SCHEMA, {});
    if (!ok.ok) throw new Error(JSON.stringify(ok.issues));
    expect(ok.config).toMatchObject({
      host: '127.0.0.1',
      port: 5070,
      domain: 'ims.lab',
      trusted: ['127.0.0.1'],
      minExpires: 60,
    });
    const bad = readEnvironment(LAB_CORE_SCHEMA, {
      LAB_CORE_PORT: '70000',
      LAB_CORE_TRUSTED: '127.0.0.1,not an ip',
    });
    expect(bad.ok ? [] : bad.issues.map((i) => i.key)).toEqual(['LAB_CORE_PORT', 'LAB_CORE_TRUSTED']);
  });

  it('[LABCORE-config-env] runs alone from main.ts and exits 1 naming a broken subscribers file', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, LAB_SUBSCRIBERS: '/nonexistent/subs.json', LAB_CORE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/LAB_SUBSCRIBERS \/nonexistent\/subs.json/);
  });
});

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START = ['--import', 'tsx', 'bin/start.ts'];

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  // The directory in memory: tests never create data/ in the repository.
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_FILE: ':memory:', ...extra };
  for (const key of [
    'HTTP_HOST',
    'LOG_LEVEL',
    'ROLES',
    'SHUTDOWN_TIMEOUT_MS',
    'DIRECTORY_SEED',
    'REDIS_URL',
    'EP_CSCF_WORKERS',
    'SIP_WS_PORT',
  ])
    if (!(key in extra)) delete env[key];
  return env;
}

/** Resolves with the first JSON log line whose message matches. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
        buffer = buffer.slice(newline + 1);
        if (pattern.test(String(line['msg']))) resolve(line);
      }
    });
    child.once('close', (code) => reject(new Error(`exited with ${code} before a line matched ${pattern}`)));
  });
}

describe('bin/start.ts', () => {
  it('[DESIGN-configuration-schema] MUST exit non-zero and name the variable when a value is bad', () => {
    const run = spawnSync(process.execPath, START, {
      cwd: REPO,
      env: environment({ HTTP_PORT: 'eighty' }),
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('HTTP_PORT must be an integer from 0 to 65535, got "eighty"');
    expect(run.stdout).toBe('');
  });

  it('[DESIGN-workers-config] MUST exit non-zero before starting anything when EP_CSCF_WORKERS > 1 lacks SIP_WS_PORT', () => {
    const run = spawnSync(process.execPath, START, {
      cwd: REPO,
      env: environment({ EP_CSCF_WORKERS: '2', DATABASE_FILE: 'unused.sqlite' }),
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('SIP_WS_PORT is required with EP_CSCF_WORKERS=2');
    expect(run.stdout).toBe('');
  });

  it('[DESIGN-operability-drain] MUST print the URL on start, serve /healthz, and exit 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, START, {
      cwd: REPO,
      env: environment({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const started = await waitForLine(child, /^webrtc-ims listening on http:\/\/127\.0\.0\.1:\d+ /);
      const response = await fetch(`${String(started['url'])}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
      const stopped = waitForLine(child, /^stopped$/);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      await stopped;
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

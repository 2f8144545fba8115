import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { requireBinary } from './binary.ts';
import { PeerMissingError, PeerStartError } from './errors.ts';
import { delay, groupAlive, startProcess } from './process.ts';

const NODE = process.execPath;
const FIXTURE = new URL('./fixtures/start-then-end.ts', import.meta.url).pathname;

/** Node one-liner that also starts a grandchild in the same process group. */
const WITH_GRANDCHILD =
  "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });";

describe('startProcess', () => {
  it('[HARNESS-process-readiness] MUST resolve once the readiness log line appears and keep the output', async () => {
    const peer = await startProcess({
      name: 'echo',
      command: NODE,
      args: [
        '-e',
        "console.log('warming up'); setTimeout(() => console.error('READY now'), 100); setInterval(() => {}, 1000);",
      ],
      readiness: { kind: 'log', pattern: /READY now/ },
    });
    try {
      expect(peer.hasExited()).toBe(false);
      expect(peer.output()).toContain('warming up');
      expect(peer.report()).toContain('----- echo output');
    } finally {
      await peer.stop();
    }
  });

  it('[HARNESS-process-readiness] MUST fail with the reason and the captured output when readiness never comes, and kill the process', async () => {
    let cleaned = false;
    const error = await startProcess({
      name: 'mute',
      command: NODE,
      args: ['-e', "console.log('I say something else'); setInterval(() => {}, 1000);"],
      readiness: { kind: 'probe', describe: 'a probe that never succeeds', probe: async () => false },
      readyTimeoutMs: 300,
      cleanup: () => {
        cleaned = true;
      },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PeerStartError);
    const message = (error as PeerStartError).message;
    expect(message).toContain('a probe that never succeeds did not succeed within 300 ms');
    expect(message).toContain('I say something else');
    expect(cleaned).toBe(true);
  });

  it('[HARNESS-process-readiness] MUST fail at once with the exit status and output when the process dies before it is ready', async () => {
    const error = await startProcess({
      name: 'crasher',
      command: NODE,
      args: ['-e', "console.error('bad config line 3'); process.exit(3);"],
      readiness: { kind: 'tcp', port: 9 },
      readyTimeoutMs: 5_000,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PeerStartError);
    expect((error as Error).message).toMatch(/exited \(code 3\) before TCP connect to port 9 succeeded/);
    expect((error as Error).message).toContain('bad config line 3');
  });

  it('[HARNESS-process-stop] MUST escalate to SIGKILL when SIGTERM is ignored and take the whole process group down', async () => {
    const peer = await startProcess({
      name: 'stubborn',
      command: NODE,
      args: [
        '-e',
        `${WITH_GRANDCHILD} process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`,
      ],
      readiness: { kind: 'log', pattern: /up/ },
      stopGraceMs: 200,
    });
    const status = await peer.stop();
    expect(status.signal).toBe('SIGKILL');
    expect(peer.hasExited()).toBe(true);
    expect(groupAlive(peer.pid)).toBe(false);
  });

  it('[HARNESS-process-stop] MUST stop with SIGTERM when the process honours it, and run cleanup once', async () => {
    let cleanups = 0;
    const peer = await startProcess({
      name: 'polite',
      command: NODE,
      args: ['-e', `${WITH_GRANDCHILD} console.log('up'); setInterval(() => {}, 1000);`],
      readiness: { kind: 'log', pattern: /up/ },
      cleanup: () => {
        cleanups++;
      },
    });
    const [first, second] = await Promise.all([peer.stop(), peer.stop()]);
    expect(first.signal).toBe('SIGTERM');
    expect(second).toEqual(first);
    expect(cleanups).toBe(1);
    expect(groupAlive(peer.pid)).toBe(false);
  });

  it('[HARNESS-process-missing] MUST name the Debian package and scripts/install-peers.sh when a binary is missing', () => {
    expect(() => requireBinary({ name: 'no-such-peer-binary', debianPackage: 'no-such-package' })).toThrow(
      PeerMissingError,
    );
    expect(() => requireBinary({ name: 'no-such-peer-binary', debianPackage: 'no-such-package' })).toThrow(
      /install the Debian package "no-such-package" \(run scripts\/install-peers\.sh/,
    );
  });
});

describe('exit guard', () => {
  for (const how of ['exit', 'throw', 'signal'] as const) {
    it(`[HARNESS-process-exit-guard] MUST kill the peers of a worker that ends by ${how} without stopping them`, async () => {
      const worker = spawn(NODE, ['--import', 'tsx', FIXTURE, how], { stdio: ['pipe', 'pipe', 'pipe'] });
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: worker.stdout }).once('line', resolve);
        worker.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
      });
      const { pid } = JSON.parse(line) as { pid: number };
      expect(groupAlive(pid)).toBe(true);
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      if (how === 'signal') worker.kill('SIGTERM');
      else worker.stdin.write('end now\n');
      await exited;
      for (let i = 0; i < 50 && groupAlive(pid); i++) await delay(20);
      expect(groupAlive(pid)).toBe(false);
    });
  }
});

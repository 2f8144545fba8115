/**
 * The forwarding-CPU benchmark's rig (bench/forwarding-cpu.ts): the eP-CSCF in a child process
 * with its IPC channel (`Sut`), and the WebSocket clients that drive it at a fixed rate (`Crowd`).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { BenchClient, type ClientEvent } from './forwarding-cpu-peers.ts';
import type { SutCommand, SutKind, SutMessage } from './forwarding-cpu-sut.ts';

const SUT = fileURLToPath(new URL('./forwarding-cpu-sut.ts', import.meta.url));
const OFFER = new URL('../../shared/vectors/sdp/aiortc/audio_chrome.sdp', import.meta.url);
export const DOMAIN = 'ims.bench';
const ORIGIN = 'https://wic.bench.invalid';

/** The child with its IPC channel: `ask` sends a command and waits for the next message. */
export class Sut {
  private waiting: ((m: SutMessage) => void) | undefined;
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: SutMessage) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m);
    });
  }

  static async start(
    corePort: number,
    nodeArgs: readonly string[] = [],
    kind: SutKind = 'ep-cscf',
    rtpengine?: string,
  ): Promise<{ sut: Sut; wsPort: number }> {
    const child = fork(SUT, [], {
      execArgv: ['--import', 'tsx', ...nodeArgs],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        SIP_HOST: '127.0.0.1',
        SIP_PORT: '0',
        IMS_CORE_URI: `sip:127.0.0.1:${corePort}`,
        IMS_DOMAIN: DOMAIN,
        ALLOWED_ORIGINS: ORIGIN,
        FLOW_TOKEN_KEY: 'bench-flow-token-key',
        REG_EVENT: 'false',
        LOG_LEVEL: 'warn',
        SUT_KIND: kind,
        ...(rtpengine === undefined ? {} : { RTPENGINES: rtpengine }),
      },
    });
    const sut = new Sut(child);
    const ready = await sut.next(30_000);
    if (ready.kind !== 'ready') throw new Error(`${kind} did not start: ${JSON.stringify(ready)}`);
    return { sut, wsPort: ready.wsPort };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  next(timeoutMs: number): Promise<SutMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('eP-CSCF did not answer')), timeoutMs);
      const exited = (): void => reject(new Error('eP-CSCF exited'));
      this.child.once('exit', exited);
      this.waiting = (m) => {
        clearTimeout(timer);
        this.child.off('exit', exited);
        resolve(m);
      };
    });
  }

  async ask(c: SutCommand): Promise<SutMessage> {
    const answer = this.next(30_000);
    this.child.send(c);
    return answer;
  }

  send(c: SutCommand): void {
    this.child.send(c);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ kind: 'stop' } satisfies SutCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

/** The clients, and what finishing an operation does (set per phase). */
export class Crowd {
  readonly idle: BenchClient[] = [];
  onDone: (e: ClientEvent) => void = () => {};

  static async connect(wsPort: number, count: number): Promise<Crowd> {
    const crowd = new Crowd();
    const offer = readFileSync(OFFER, 'latin1').replace(/\r?\n/g, '\r\n');
    for (let i = 0; i < count; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/sip`, 'sip', { headers: { Origin: ORIGIN } });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const client = new BenchClient(ws, i, DOMAIN, offer, (e) => {
        crowd.idle.push(client);
        crowd.onDone(e);
      });
      crowd.idle.push(client);
      crowd.sockets.push(ws);
    }
    return crowd;
  }

  readonly sockets: WebSocket[] = [];

  /** Runs `count` operations offered at `rate` per second; the failures' reasons. */
  run(kind: 'register' | 'call', count: number, rate: number): Promise<string[]> {
    const failures: string[] = [];
    let started = 0;
    let finished = 0;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`${kind}: ${finished} of ${count} done in time`)),
        (count / rate) * 1000 + 20_000,
      );
      const tick = setInterval(() => {
        const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * rate));
        while (started < due) {
          // The longest idle first: every client takes its turn, and the first round registers
          // them all (taking the last one back, a few fast clients did everything, and under
          // overload calls reached clients that had never registered: 403).
          const c = this.idle.shift();
          if (c === undefined) break;
          started++;
          if (kind === 'register') c.register();
          else c.call();
        }
      }, 5);
      this.onDone = (e) => {
        if (typeof e === 'object') failures.push(e.failed);
        if (++finished === count) {
          clearInterval(tick);
          clearTimeout(deadline);
          resolve(failures);
        }
      };
    });
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}

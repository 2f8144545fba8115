/**
 * A full garbage collection in Node processes we did not write a hook into: the product's
 * eP-CSCF primary and its cluster workers (bin/start.ts). Each is started with
 * `NODE_OPTIONS=--inspect-port=BASE`, which only chooses the port: node:cluster gives the k-th
 * forked worker BASE + k, the primary keeps BASE. SIGUSR1 (Node's default handler) opens the
 * inspector on loopback; over its WebSocket we ask for `HeapProfiler.collectGarbage` (V8's full,
 * compacting collection) and read `process.pid` back. The inspector stays open afterwards, so
 * a reading taken after the first collection already includes its small cost, as does the
 * baseline with no client.
 */
import WebSocket from 'ws';

/** How long a process may take to open its inspector after SIGUSR1, and to collect. */
const TIMEOUT_MS = 20_000;

interface Target {
  readonly webSocketDebuggerUrl: string;
}

/**
 * Opens the inspector of every pid (SIGUSR1) and collects garbage in each process listening on
 * a port of `ports`; throws unless every pid was collected. Returns the pids collected.
 */
export async function collectGarbage(pids: readonly number[], ports: readonly number[]): Promise<number[]> {
  for (const pid of pids) process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + TIMEOUT_MS;
  /** port -> pid of the process collected there */
  const collected = new Map<number, number>();
  for (;;) {
    for (const port of ports) {
      if (collected.has(port)) continue;
      const url = await debuggerUrl(port);
      if (url !== undefined) collected.set(port, await collectOver(url));
    }
    const done = new Set(collected.values());
    const missing = pids.filter((p) => !done.has(p));
    if (missing.length === 0) return [...done];
    if (Date.now() > deadline)
      throw new Error(`no inspector answered for pid ${missing.join(', ')} on ports ${ports.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function debuggerUrl(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
    const list: unknown = await res.json();
    if (!Array.isArray(list)) return undefined;
    const first = list[0] as Partial<Target> | undefined;
    return typeof first?.webSocketDebuggerUrl === 'string' ? first.webSocketDebuggerUrl : undefined;
  } catch {
    return undefined;
  }
}

/** Collects garbage in the process behind `url`; its pid. */
function collectOver(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`inspector ${url}: no answer within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    let pid = 0;
    const send = (id: number, method: string, params: Record<string, unknown> = {}): void =>
      ws.send(JSON.stringify({ id, method, params }));
    ws.once('open', () => send(1, 'Runtime.evaluate', { expression: 'process.pid', returnByValue: true }));
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as {
        id?: number;
        result?: { result?: { value?: unknown } };
        error?: { message?: string };
      };
      if (m.error !== undefined) {
        clearTimeout(timer);
        ws.close();
        reject(new Error(`inspector ${url}: ${m.error.message ?? 'error'}`));
      } else if (m.id === 1) {
        pid = Number(m.result?.result?.value);
        // Twice, as the single-process benchmark does: the first pass queues finalisers.
        send(2, 'HeapProfiler.collectGarbage');
      } else if (m.id === 2) send(3, 'HeapProfiler.collectGarbage');
      else if (m.id === 3) {
        clearTimeout(timer);
        ws.close();
        resolve(pid);
      }
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Our eP-CSCF as a system under test, configured through the same environment variables an
 * operator sets and pinned with taskset:
 * - `startOurEpCscf`: bench/epcscf-main.ts in a child Node process (tsx loader, --expose-gc for
 *   memory readings, optionally --cpu-prof), one process;
 * - `startOurProduct`: the product itself (`node --import tsx bin/start.ts`, ROLES=ep-cscf) with
 *   EP_CSCF_WORKERS worker processes (ep-cscf/README.md "One worker per core"), for the memory
 *   benchmark: its process group holds the primary and the workers, so PSS and CPU are summed
 *   over all of them; garbage is collected through the inspector (inspector-gc.ts).
 */
import { fileURLToPath } from 'node:url';
import { createTempDir, startProcess } from '../../conformance/harness/index.ts';
import { EP_CSCF_WORKER_NODE_FLAGS } from '../../ep-cscf/worker-plan.ts';
import { httpGet } from './http-get.ts';
import { collectGarbage } from './inspector-gc.ts';
import { commandName, groupPids } from './proc-stats.ts';
import { pinnedCommand, type SystemOptions, type SystemUnderTest } from './system.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../epcscf-main.ts', import.meta.url));
const START = fileURLToPath(new URL('../../bin/start.ts', import.meta.url));

export async function startOurEpCscf(o: SystemOptions): Promise<SystemUnderTest> {
  const { ports } = o;
  const host = ports.host;
  const httpPort = await ports.tcp();
  const sipPort = await ports.port('both');
  const env: NodeJS.ProcessEnv = {
    ...operatorEnv(o, httpPort, sipPort),
    // The eIMS-AGW's media policy with its defaults (eims-agw/media-policy.ts), on the shared rtpengine.
    ...(o.rtpengine === undefined ? {} : { RTPENGINES: `${o.rtpengine.host}:${o.rtpengine.port}` }),
  };
  const nodeArgs = [
    '--import',
    'tsx',
    // One process on one core: the flags the product gives each eP-CSCF worker (one per core).
    ...EP_CSCF_WORKER_NODE_FLAGS,
    '--expose-gc',
    ...(o.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`]),
    ...(o.nodeArgs ?? []),
    MAIN,
  ];
  const cmd = pinnedCommand(o.cpu, process.execPath, nodeArgs);
  const peer = await startProcess({
    name: 'eP-CSCF',
    command: cmd.command,
    args: cmd.args,
    cwd: REPO,
    env,
    readiness: { kind: 'log', pattern: /BENCH-READY / },
    readyTimeoutMs: 30_000,
    stopGraceMs: 10_000,
    cleanup: () => {
      ports.release(httpPort);
      ports.release(sipPort);
    },
  });
  const scheme = o.tls === undefined ? 'ws' : 'wss';
  let gcs = 0;
  return {
    name: 'ours',
    url: `${scheme}://${host}:${httpPort}/sip`,
    pgid: peer.pid,
    description:
      `eP-CSCF (this tree), node ${process.version}, one process` +
      (o.rtpengine === undefined ? '' : ', eIMS-AGW media control in the same process') +
      (o.cpu === undefined ? '' : `, pinned to CPU ${o.cpu}`),
    async settle() {
      const want = ++gcs;
      process.kill(peer.pid, 'SIGUSR2');
      const deadline = Date.now() + 10_000;
      while (!peer.output().includes(`BENCH-GC ${want}\n`)) {
        if (Date.now() > deadline || peer.hasExited())
          throw new Error(`eP-CSCF did not collect garbage\n${peer.report()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    report: () => peer.report(),
    async stop() {
      await peer.stop();
    },
  };
}

/**
 * What both ways of starting ours are configured with, as an operator would: the HTTP server
 * (the SIP WebSocket), Mw toward the rig's IMS core, the clients' origin, TLS where the run
 * serves WSS.
 */
function operatorEnv(o: SystemOptions, httpPort: number, sipPort: number): NodeJS.ProcessEnv {
  const host = o.ports.host;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HTTP_HOST: host,
    HTTP_PORT: String(httpPort),
    SIP_HOST: host,
    SIP_PORT: String(sipPort),
    IMS_CORE_URI: `sip:${o.core.host}:${o.core.port}`,
    IMS_DOMAIN: o.domain,
    ALLOWED_ORIGINS: o.origin,
    FLOW_TOKEN_KEY: 'bench-flow-token-key',
    WS_PING_INTERVAL: '30',
    // The Kamailio P-CSCF does not subscribe to the reg event either (TS 24.229 §5.2.3 is not
    // part of what is compared; it would add one SUBSCRIBE per first registration).
    REG_EVENT: 'false',
    LOG_LEVEL: 'warn',
    ...(o.tls === undefined ? {} : { TLS_KEY_FILE: o.tls.keyFile, TLS_CERT_FILE: o.tls.certFile }),
  };
}

/**
 * The product with only the eP-CSCF role and `workers` eP-CSCF processes (1: in the primary):
 * the SIP WebSocket on its own port (SIP_WS_PORT), worker i's Mw port SIP_PORT+i, the directory
 * in a temp file (workers refuse `:memory:`), no seed, no reg-event subscription.
 */
export async function startOurProduct(o: SystemOptions, workers: number): Promise<SystemUnderTest> {
  const { ports } = o;
  const host = ports.host;
  const httpPort = await ports.tcp();
  const wsPort = await ports.tcp();
  const sip = await ports.range(workers, 'both');
  const sipTls = await ports.range(workers, 'tcp');
  // The primary's inspector port and one per worker fork (inspector-gc.ts).
  const inspector = await ports.range(workers + 1, 'tcp');
  const dir = createTempDir('bench-product');
  const release = (): void => {
    dir.remove();
    for (const p of [httpPort, wsPort, sip, sipTls, inspector]) ports.release(p);
  };
  const env: NodeJS.ProcessEnv = {
    ...operatorEnv(o, httpPort, sip.min),
    NODE_OPTIONS: `--inspect-port=${inspector.min}`,
    ROLES: 'ep-cscf',
    EP_CSCF_WORKERS: String(workers),
    SIP_TLS_PORT: String(sipTls.min),
    SIP_WS_PORT: String(wsPort),
    DATABASE_FILE: `${dir.path}/directory.sqlite`,
    DIRECTORY_SEED: '',
  };
  const scheme = o.tls === undefined ? 'http' : 'https';
  const base = `${scheme}://${host}:${httpPort}`;
  const ready = async (): Promise<boolean> => {
    const res = await httpGet(`${base}/healthz`).catch(() => undefined);
    if (res?.status !== 200) return false;
    let health: { roles?: Record<string, string>; workers?: { 'ep-cscf'?: { state?: string }[] } };
    try {
      health = JSON.parse(res.body) as typeof health;
    } catch {
      return false;
    }
    if (health.roles?.['ep-cscf'] !== 'up') return false;
    const states = health.workers?.['ep-cscf'] ?? [];
    return workers === 1 || (states.length === workers && states.every((w) => w.state === 'up'));
  };
  const cmd = pinnedCommand(o.cpu, process.execPath, ['--import', 'tsx', START]);
  const peer = await startProcess({
    name: 'eP-CSCF product',
    command: cmd.command,
    args: cmd.args,
    cwd: REPO,
    env,
    readiness: {
      kind: 'probe',
      describe: `GET ${base}/healthz: ep-cscf up, ${workers} worker(s) up`,
      probe: ready,
    },
    readyTimeoutMs: 90_000,
    pollIntervalMs: 250,
    stopGraceMs: 20_000,
    cleanup: release,
  });
  const inspectorPorts = Array.from({ length: workers + 1 }, (_, i) => inspector.min + i);
  return {
    name: 'ours',
    url: `${o.tls === undefined ? 'ws' : 'wss'}://${host}:${wsPort}/sip`,
    pgid: peer.pid,
    description:
      `eP-CSCF (this tree) as the product (bin/start.ts, ROLES=ep-cscf), node ${process.version}, ` +
      (workers === 1
        ? 'EP_CSCF_WORKERS=1: one process'
        : `EP_CSCF_WORKERS=${workers}: a primary and ${workers} workers`) +
      (o.cpu === undefined ? '' : `, pinned to CPU ${o.cpu}`),
    async settle() {
      // The Node processes: tsx's esbuild service in the same group is no Node process.
      const nodes = groupPids(peer.pid).filter((pid) => commandName(pid) === 'node');
      await collectGarbage(nodes, inspectorPorts);
    },
    async registrations() {
      const res = await httpGet(`${base}/metrics`);
      const m = /^epcscf_registrations (\d+)$/m.exec(res.body);
      if (res.status !== 200 || m === null)
        throw new Error(`GET ${base}/metrics: ${res.status}, no epcscf_registrations`);
      return Number(m[1]);
    },
    report: () => peer.report(),
    async stop() {
      await peer.stop();
    },
  };
}

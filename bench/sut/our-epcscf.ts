/**
 * Our eP-CSCF as a system under test: bench/epcscf-main.ts in a child Node process (tsx loader,
 * --expose-gc for memory readings, optionally --cpu-prof), pinned with taskset, configured
 * through the same environment variables an operator sets.
 */
import { fileURLToPath } from 'node:url';
import { requireBinary, startProcess } from '../../conformance/harness/index.ts';
import { pinnedCommand, type SystemOptions, type SystemUnderTest } from './system.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../epcscf-main.ts', import.meta.url));

export async function startOurEpCscf(o: SystemOptions): Promise<SystemUnderTest> {
  const { ports } = o;
  const host = ports.host;
  const httpPort = await ports.tcp();
  const sipPort = await ports.port('both');
  const env: NodeJS.ProcessEnv = {
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
    // The eIMS-AGW's media policy with its defaults (eims-agw/media-policy.ts), on the shared rtpengine.
    ...(o.rtpengine === undefined ? {} : { RTPENGINES: `${o.rtpengine.host}:${o.rtpengine.port}` }),
  };
  const nodeArgs = [
    '--import',
    'tsx',
    '--expose-gc',
    ...(o.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`]),
    ...(o.nodeArgs ?? []),
    MAIN,
  ];
  const cmd = pinnedCommand(o.cpu, process.execPath, nodeArgs);
  const peer = await startProcess({
    name: 'eP-CSCF',
    command:
      cmd.command === 'taskset'
        ? requireBinary({ name: 'taskset', debianPackage: 'util-linux' })
        : cmd.command,
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

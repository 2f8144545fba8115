/**
 * One measuring rig: a fresh IMS core, optionally a system under test in front of it, and a
 * load generator aimed at the system (or straight at the core). For calls, also the shared
 * rtpengine and sipp as the callee behind the core (started before the system, which is given
 * the rtpengine). Everything is stopped when the measurement ends, also when it throws.
 * `withProfiledRig`: the same with ours under V8's CPU profiler.
 */
import { readFileSync } from 'node:fs';
import { createTempDir, type PortAllocator } from '../conformance/harness/index.ts';
import { type ProfileSummary, readProfileDir, summariseProfile, type TimeWindow } from './cpu-profile.ts';
import { LoadGenerator } from './load/load-generator.ts';
import type { Target } from './load/protocol.ts';
import type { Placement, StepContext } from './register-phases.ts';
import { type ImsCore, startImsCore } from './sut/ims-core.ts';
import { startKamailioPcscf } from './sut/kamailio-pcscf.ts';
import { startOurEpCscf, startOurProduct } from './sut/our-epcscf.ts';
import { type BenchRtpengine, startBenchRtpengine } from './sut/rtpengine.ts';
import { CALLEE, type SippCallee, startSippCallee } from './sut/sipp-callee.ts';
import type { SystemName, SystemUnderTest } from './sut/system.ts';
import type { TlsFiles } from './sut/tls-cert.ts';

export const DOMAIN = 'ims.test';
/** the web origin the clients come from, the only one both systems accept */
export const ORIGIN = 'https://wic.bench.invalid';
/** client source addresses: 8 x ~28,000 ephemeral ports */
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
/** the browser offer of every call: Chrome's audio offer (shared/vectors/sdp/ORIGINS.md) */
export const CHROME_OFFER = new URL('../../shared/vectors/sdp/aiortc/audio_chrome.sdp', import.meta.url);

export interface RigEnvironment {
  readonly ports: PortAllocator;
  readonly placement: Placement;
  readonly workers: number;
  /** told of every process group started (the IMS core, the system under test) */
  readonly onProcessGroup?: (name: string, pgid: number) => void;
  /** told of the load generator's child processes (with `loadProcesses`) */
  readonly onLoadProcesses?: (pids: readonly number[]) => void;
}

export interface RigOptions {
  /** undefined: the generator sends straight to the core over UDP */
  readonly system: SystemName | undefined;
  /** subscribers in the core's table; 0: the core does not authenticate */
  readonly subscribers: number;
  readonly maxConnections: number;
  readonly tls?: TlsFiles | undefined;
  readonly cpuProfileDir?: string | undefined;
  readonly nodeArgs?: readonly string[] | undefined;
  /** calls: rtpengine and the sipp callee, the system with media, clients that call */
  readonly calls?: boolean | undefined;
  /** ours as the product with this many eP-CSCF processes (startOurProduct); undefined: epcscf-main.ts */
  readonly epcscfWorkers?: number | undefined;
  /** the load generator in this many child processes of `env.workers` threads each; undefined: threads here */
  readonly loadProcesses?: number | undefined;
  /** the IMS core's shared memory in MB (default 1024) */
  readonly coreSharedMemoryMb?: number | undefined;
  /** per WebSocket handshake and transaction of the clients (default 5000 ms) */
  readonly timeoutMs?: number | undefined;
  /** the clients' WebSocket: the `ws` library (default) or the lean one (load/lean-ws.ts), bound to fixed sources (load/sources.ts) */
  readonly wsClient?: 'ws' | 'lean' | undefined;
}

/** What a call rig adds: both on the load side's CPU. */
export interface CallPeers {
  readonly rtpengine: BenchRtpengine;
  readonly callee: SippCallee;
}

export interface Rig {
  readonly core: ImsCore;
  readonly sut: SystemUnderTest | undefined;
  readonly gen: LoadGenerator;
  /** with `calls` */
  readonly peers: CallPeers | undefined;
  /** the step context; its load-side CPU counts the core, and rtpengine and sipp with `calls` */
  readonly ctx: StepContext;
}

export async function withRig<T>(
  env: RigEnvironment,
  o: RigOptions,
  measure: (rig: Rig) => Promise<T>,
): Promise<T> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const core = await startImsCore({
      ports: env.ports,
      domain: DOMAIN,
      subscribers: o.subscribers,
      extraSubscribers: o.calls ? [CALLEE] : undefined,
      cpu: env.placement.loadCpu,
      sharedMemoryMb: o.coreSharedMemoryMb,
    });
    stops.push(() => core.stop());
    env.onProcessGroup?.('ims-core', core.pgid);
    let peers: CallPeers | undefined;
    if (o.calls) {
      const cpu = env.placement.loadCpu;
      const rtpengine = await startBenchRtpengine({ ports: env.ports, cpu });
      stops.push(() => rtpengine.stop());
      env.onProcessGroup?.('rtpengine', rtpengine.pgid);
      const callee = await startSippCallee({
        ports: env.ports,
        cpu,
        core: { host: core.host, port: core.port, domain: DOMAIN },
      });
      stops.push(() => callee.stop());
      env.onProcessGroup?.('sipp-callee', callee.pgid);
      peers = { rtpengine, callee };
    }
    let sut: SystemUnderTest | undefined;
    if (o.system !== undefined) {
      const options = {
        ports: env.ports,
        cpu: env.placement.sutCpu,
        core: { host: core.host, port: core.port },
        domain: DOMAIN,
        origin: ORIGIN,
        tls: o.tls,
        maxConnections: o.maxConnections,
        cpuProfileDir: o.cpuProfileDir,
        nodeArgs: o.nodeArgs,
        rtpengine:
          peers === undefined ? undefined : { host: peers.rtpengine.host, port: peers.rtpengine.ngPort },
      };
      const started =
        o.system === 'kamailio'
          ? await startKamailioPcscf(options)
          : o.epcscfWorkers === undefined
            ? await startOurEpCscf(options)
            : await startOurProduct(options, o.epcscfWorkers);
      sut = started;
      stops.push(() => started.stop());
      env.onProcessGroup?.(started.name, started.pgid);
    }
    const target: Target =
      sut === undefined
        ? { kind: 'udp', host: core.host, port: core.port }
        : {
            kind: 'ws',
            url: sut.url,
            origin: ORIGIN,
            localAddresses: LOCAL_ADDRESSES,
            client: o.wsClient,
            fixedSources: o.wsClient === 'lean',
          };
    const calls =
      peers === undefined
        ? undefined
        : { callee: peers.callee.uri, offerSdp: readFileSync(CHROME_OFFER, 'latin1') };
    const genOptions = { workers: env.workers, target, domain: DOMAIN, calls, timeoutMs: o.timeoutMs };
    const gen =
      o.loadProcesses === undefined
        ? LoadGenerator.start(genOptions)
        : await LoadGenerator.startForked(genOptions, o.loadProcesses);
    stops.push(() => gen.close());
    if (gen.pids.length > 0) env.onLoadProcesses?.(gen.pids);
    const loadSide =
      peers === undefined
        ? () => core.cpuSeconds()
        : () => core.cpuSeconds() + peers.rtpengine.cpuSeconds() + peers.callee.cpuSeconds();
    const ctx: StepContext = { gen, sut, coreCpuSeconds: loadSide, placement: env.placement };
    try {
      return await measure({ core, sut, gen, peers, ctx });
    } catch (err) {
      // Say what the peers printed before they are stopped.
      if (sut !== undefined) process.stderr.write(`${sut.report()}\n`);
      process.stderr.write(`${core.report()}\n`);
      if (peers !== undefined)
        process.stderr.write(`${peers.rtpengine.report()}\n${peers.callee.report()}\n`);
      throw err;
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/**
 * A rig of ours under V8's CPU profiler: `measure` wraps the step to profile in `profiled`, and
 * only that step's samples are kept (the profile is written when the process exits and covers
 * its whole life).
 */
export async function withProfiledRig(
  env: RigEnvironment,
  o: Omit<RigOptions, 'system' | 'cpuProfileDir'>,
  measure: (rig: Rig, profiled: <T>(step: () => Promise<T>) => Promise<T>) => Promise<void>,
): Promise<ProfileSummary> {
  const dir = createTempDir('bench-cpu-prof');
  try {
    let window: TimeWindow | undefined;
    const profiled = async <T>(step: () => Promise<T>): Promise<T> => {
      const fromUs = microseconds();
      const result = await step();
      window = { fromUs, toUs: microseconds() };
      return result;
    };
    await withRig(env, { ...o, system: 'ours', cpuProfileDir: dir.path }, (rig) => measure(rig, profiled));
    return summariseProfile(readProfileDir(dir.path), window);
  } finally {
    dir.remove();
  }
}

/** The monotonic clock in microseconds, as V8 stamps CPU profile samples. */
function microseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * One point of the memory benchmark on a rig of its own (epcscf-rig.ts): a fresh IMS core that
 * does not authenticate, the system (ours as the product with its eP-CSCF workers, or Kamailio),
 * and the load generator in child processes. PSS of all the system's processes with no client
 * (after a full GC for ours), then `clients` clients connect and register, stay idle, and PSS
 * is read again (after another GC). Every registration is checked three ways: the client got its
 * 200 OK, the IMS core holds the contact, and ours counts it (`epcscf_registrations`).
 */
import type { RigEnvironment } from './epcscf-rig.ts';
import { withRig } from './epcscf-rig.ts';
import { coreSharedMemoryMb, type MemoryPlan, type MemoryPointSpec, workersFor } from './memory-plan.ts';
import { pause } from './register-phases.ts';
import { cpuSeconds, openFds, pssBytes } from './sut/proc-stats.ts';
import { systemPids } from './sut/system.ts';
import type { TlsFiles } from './sut/tls-cert.ts';

export interface ProcessReading {
  readonly pid: number;
  readonly pssBytes: number;
  readonly fds: number;
  /** CPU seconds it used while the clients connected and registered */
  readonly connectCpuSeconds: number;
}

export interface MemoryPointResult extends MemoryPointSpec {
  readonly description: string;
  /** eP-CSCF processes carrying SIP (EP_CSCF_WORKERS); undefined for Kamailio */
  readonly epcscfWorkers: number | undefined;
  readonly loadProcesses: number;
  /** clients whose REGISTER got its 200 OK */
  readonly registered: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  /** contacts in the IMS core's location table at the reading */
  readonly coreContacts: number;
  /** the system's own count (ours: epcscf_registrations on /metrics, summed over the workers) */
  readonly systemRegistrations: number | undefined;
  /** every client registered, and the core (and ours) say so */
  readonly complete: boolean;
  readonly basePssBytes: number;
  readonly pssBytes: number;
  /** (pss - base PSS) / registered clients */
  readonly bytesPerClient: number;
  /** the system's processes at the reading */
  readonly processes: readonly ProcessReading[];
  /** most descriptors open in one load process at the reading */
  readonly loadMaxFds: number;
  readonly connectMs: number;
  /** CPU seconds of the system's processes while the clients connected and registered */
  readonly connectCpuSeconds: number;
  /** the same for the load processes and for the IMS core */
  readonly loadCpuSeconds: number;
  readonly coreCpuSeconds: number;
}

export async function measureMemoryPoint(
  env: RigEnvironment,
  plan: MemoryPlan,
  spec: MemoryPointSpec,
  tls: TlsFiles | undefined,
): Promise<MemoryPointResult> {
  const n = spec.clients;
  const epcscfWorkers = spec.system === 'ours' ? (plan.epcscfWorkers ?? workersFor(n)) : undefined;
  const loadProcesses = plan.loadProcesses ?? workersFor(n);
  const lanes = loadProcesses * plan.threadsPerProcess;
  const options = {
    system: spec.system,
    subscribers: 0,
    maxConnections: n,
    tls,
    epcscfWorkers,
    loadProcesses,
    coreSharedMemoryMb: coreSharedMemoryMb(n),
    // A fraction of the `ws` client's CPU per connection: 100,000 clients in minutes.
    wsClient: 'lean' as const,
    timeoutMs: plan.timeoutMs,
  };
  return withRig({ ...env, workers: plan.threadsPerProcess }, options, async (rig) => {
    const sut = rig.sut!;
    await sut.settle();
    const before = systemPids(sut);
    const basePssBytes = pssBytes(before);
    const cpu0 = cpuSeconds(before);
    const cpuOf0 = new Map(before.map((pid) => [pid, cpuSeconds([pid])]));
    const load0 = cpuSeconds(rig.gen.pids);
    const core0 = rig.core.cpuSeconds();
    const c = await rig.gen.connect(0, n, Math.max(1, Math.ceil(plan.concurrency / lanes)));
    const after = systemPids(sut);
    const connectCpuSeconds = cpuSeconds(after) - cpu0;
    const cpuOf = new Map(after.map((pid) => [pid, cpuSeconds([pid]) - (cpuOf0.get(pid) ?? 0)]));
    const loadCpuSeconds = cpuSeconds(rig.gen.pids) - load0;
    const coreCpuSeconds = rig.core.cpuSeconds() - core0;
    await pause(plan.idleMs);
    await sut.settle();
    const pids = systemPids(sut);
    const processes = pids.map((pid) => ({
      pid,
      pssBytes: pssBytes([pid]),
      fds: openFds(pid),
      connectCpuSeconds: cpuOf.get(pid) ?? 0,
    }));
    const pss = processes.reduce((a, p) => a + p.pssBytes, 0);
    const coreContacts = await rig.core.contacts();
    const systemRegistrations = await sut.registrations?.();
    return {
      ...spec,
      description: sut.description,
      epcscfWorkers,
      loadProcesses,
      registered: c.registered,
      failed: c.failed,
      failures: c.failures,
      coreContacts,
      systemRegistrations,
      complete:
        c.registered === n &&
        coreContacts === n &&
        (systemRegistrations === undefined || systemRegistrations === n),
      basePssBytes,
      pssBytes: pss,
      bytesPerClient: c.registered === 0 ? Number.NaN : (pss - basePssBytes) / c.registered,
      processes,
      loadMaxFds: Math.max(0, ...rig.gen.pids.map(openFds)),
      connectMs: c.elapsedMs,
      connectCpuSeconds,
      loadCpuSeconds,
      coreCpuSeconds,
    };
  });
}

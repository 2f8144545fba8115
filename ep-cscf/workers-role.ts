/**
 * The eP-CSCF role with EP_CSCF_WORKERS > 1, on the primary's side: it starts the lab core when
 * IMS_CORE_URI is empty, forks the workers (worker.ts) through the app's supervisor, and tells
 * them what only this process knows (worker-facts.ts). Its state is `up` while every worker is;
 * /healthz lists them and /metrics merges theirs.
 */

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { RoleContext, RoleHandle } from '../app/roles.ts';
import { WorkerSupervisor } from '../app/workers.ts';
import type { EpCscfConfig } from './ep-cscf.ts';
import { labCoreUnlessConfigured } from './lab-core.ts';
import type { WorkerFacts } from './worker-facts.ts';
import { EP_CSCF_WORKER_NODE_FLAGS } from './worker-plan.ts';

const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** The issuer of the WAF of this process, once it is known (after the HTTP server listens). */
function issuerOf(context: RoleContext): string | undefined {
  try {
    return context.tokenAuthority?.issuer();
  } catch {
    return undefined;
  }
}

export async function startEpCscfWorkers(
  context: RoleContext,
  config: EpCscfConfig,
  count: number,
): Promise<RoleHandle> {
  const { logger } = context;
  const lab = await labCoreUnlessConfigured(config, logger);
  const imsCoreUri = lab.uri ?? context.env['IMS_CORE_URI'] ?? '';
  // One key for every worker and every restart of one: a flow token stays verifiable.
  const flowTokenKey =
    config.flowTokenKey !== '' ? config.flowTokenKey : randomBytes(32).toString('base64url');
  const authority = context.tokenAuthority;
  const facts = (): WorkerFacts => ({
    imsCoreUri,
    flowTokenKey,
    origins: context.publicOrigins(),
    rtpengines: context.rtpengines,
    waf:
      authority === undefined
        ? undefined
        : { issuer: issuerOf(context), resourceClient: authority.resourceClient },
  });
  logger.info(
    { workers: count, wsPort: config.sipWsPort, mwPorts: `${config.sipPort}-${config.sipPort + count - 1}` },
    `eP-CSCF: starting ${count} worker processes (SIP WebSocket on port ${config.sipWsPort}, Mw on ports ${config.sipPort}-${config.sipPort + count - 1})`,
  );
  let supervisor: WorkerSupervisor;
  try {
    supervisor = await WorkerSupervisor.start({
      count,
      entry: WORKER_ENTRY,
      nodeFlags: EP_CSCF_WORKER_NODE_FLAGS,
      facts,
      logger,
    });
  } catch (error) {
    await lab.stop();
    throw error;
  }
  let stopped = false;
  return {
    get state() {
      if (stopped) return 'stopped';
      return supervisor.allUp ? 'up' : 'failed';
    },
    workers: () => supervisor.status(),
    collectMetrics: () => supervisor.collectMetrics(),
    httpListening: () => supervisor.refreshFacts(),
    async stop() {
      // The workers release their calls and pool registrations first (each as startEpCscf's stop).
      await supervisor.stop();
      await lab.stop();
      stopped = true;
    },
  };
}

/**
 * One eP-CSCF worker process's eP-CSCF: `startEpCscf` as the single process runs it, with the
 * worker's own Mw ports (SIP_PORT+i, SIP_TLS_PORT+i), the shared SIP WebSocket port, flow ids
 * unique to this process, and what the primary told it (worker-facts.ts). It opens the
 * directory itself (never seeding it: the primary did) and the Redis registration store when
 * REDIS_URL is set; otherwise its registrations live in its memory, as each flow lives in one
 * worker. With the primary's eIMS-AGW it drives the same rtpengines.
 */

import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { formatConfigIssues, loadConfig, readEnvironment } from '../app/config.ts';
import { openSharedState } from '../app/shared-state.ts';
import { type MetricFamilyJson, parseMetricFamilies } from '../app/worker-protocol.ts';
import { startMediaControl } from '../eims-agw/index.ts';
import type { TokenAuthority } from '../token/authority.ts';
import { eimsAgwMedia } from './calls/eims-agw-media.ts';
import { EPCSCF_SCHEMA } from './config.ts';
import { startEpCscf } from './ep-cscf.ts';
import type { WorkerFacts } from './worker-facts.ts';

/** Families every process reports alike: merged with `max`, not summed. */
const SAME_IN_EVERY_PROCESS = new Set(['eimsagw_rtpengine_up']);

export interface EpCscfWorkerOptions {
  readonly index: number;
  /** the latest facts from the primary (origins and issuer arrive once it listens) */
  readonly facts: () => WorkerFacts;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** carries `worker: index` */
  readonly logger: Logger;
}

export interface RunningEpCscfWorker {
  /** what the worker tells the primary when ready: its ports */
  readonly detail: Readonly<Record<string, number>>;
  /** its metrics as prom-client JSON, aggregators set for the merge on the primary */
  metrics(): Promise<MetricFamilyJson[]>;
  stop(): Promise<void>;
}

export async function startEpCscfWorker(o: EpCscfWorkerOptions): Promise<RunningEpCscfWorker> {
  const { index, logger } = o;
  const first = o.facts();
  const app = loadConfig(o.env);
  if (!app.ok) throw new Error(formatConfigIssues(app.issues));
  const read = readEnvironment(EPCSCF_SCHEMA, {
    ...o.env,
    IMS_CORE_URI: first.imsCoreUri,
    FLOW_TOKEN_KEY: first.flowTokenKey,
  });
  if (!read.ok) throw new Error(formatConfigIssues(read.issues));
  const config = {
    ...read.config,
    sipPort: read.config.sipPort + index,
    sipTlsPort: read.config.sipTlsPort + index,
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const cleanup: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => {
    for (const step of cleanup.reverse())
      await step().catch((err: unknown) => logger.error({ err }, 'worker cleanup failed'));
  };
  try {
    const state = await openSharedState(
      { ...app.config, directorySeed: undefined },
      logger.child({ module: 'app' }),
    );
    cleanup.push(() => state.close());
    const media =
      first.rtpengines === undefined
        ? undefined
        : await startMediaControl({
            // The primary's rtpengines, never one of our own.
            env: { ...o.env, RTPENGINES: first.rtpengines.join(','), RTPENGINE_BINARY: '' },
            logger: logger.child({ module: 'eims-agw' }),
            registry,
          });
    if (media !== undefined) cleanup.push(() => media.stop());
    const { tlsCertFile, tlsKeyFile } = app.config;
    const tls =
      tlsCertFile !== undefined && tlsKeyFile !== undefined
        ? { cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) }
        : undefined;
    const waf = first.waf;
    const tokenAuthority: TokenAuthority | undefined =
      waf === undefined
        ? undefined
        : { issuer: () => o.facts().waf?.issuer ?? '', resourceClient: waf.resourceClient };
    const ep = await startEpCscf({
      config,
      logger: logger.child({ module: 'ep-cscf' }),
      wsHost: app.config.httpHost,
      registry,
      defaultOrigins: () => [...o.facts().origins],
      directory: state.directory,
      store: state.registrations,
      // Unique across workers and restarts: a flow id never names another process's connection.
      connectionIdPrefix: `w${index}.${process.pid.toString(36)}-`,
      ...(tls === undefined ? {} : { tls }),
      ...(media === undefined ? {} : { media: eimsAgwMedia(media.gateway) }),
      ...(tokenAuthority === undefined ? {} : { tokenAuthority }),
    });
    cleanup.push(() => ep.stop());
    // With Redis every worker counts every registration: the figure is the same in each.
    const shared = new Set(SAME_IN_EVERY_PROCESS);
    if (state.registrations !== undefined) shared.add('epcscf_registrations');
    return {
      detail: { mwPort: ep.mwPort, ...(ep.wsPort === undefined ? {} : { wsPort: ep.wsPort }) },
      async metrics() {
        const families = parseMetricFamilies(await registry.getMetricsAsJSON());
        return families.map((f) => (shared.has(f.name) ? { ...f, aggregator: 'max' } : f));
      },
      stop: release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}

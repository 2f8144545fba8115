/**
 * Media control as the product runs it: configuration from the environment, the NG clients,
 * the pool with its health checks, the gateway, the metrics and, for `npm start` on a machine
 * with rtpengine installed but RTPENGINES unset, a local rtpengine on loopback. Without any
 * rtpengine it still starts, says what is missing, and every call fails with
 * RtpengineUnavailable (the eP-CSCF answers 503).
 */
import { accessSync, constants } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { formatConfigIssues, readEnvironment } from '../app/config.ts';
import type { Clock } from '../sip/clock/clock.ts';
import { EIMS_AGW_SCHEMA, type NgAddress } from './config.ts';
import { MediaGateway } from './gateway.ts';
import { type LocalRtpengine, startLocalRtpengine } from './local-rtpengine.ts';
import type { MediaPolicy } from './media-policy.ts';
import { createEimsAgwMetrics } from './metrics.ts';
import { NgClient } from './ng/ng-client.ts';
import { type InstanceStatus, RtpenginePool } from './pool.ts';

export type MediaControlState = 'up' | 'degraded' | 'unavailable' | 'stopped';

export interface MediaControlStatus {
  /** up: every rtpengine answers; degraded: some do; unavailable: none (or none configured). */
  readonly state: MediaControlState;
  /** Where the rtpengines come from. */
  readonly source: 'configured' | 'local' | 'none';
  /** Why media control is unavailable, in plain words, when it is. */
  readonly message: string | undefined;
  readonly instances: readonly InstanceStatus[];
}

export interface MediaControl {
  readonly gateway: MediaGateway;
  readonly pool: RtpenginePool;
  readonly status: MediaControlStatus;
  stop(): Promise<void>;
}

export interface MediaControlOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: Clock;
  /** Extra arguments for a local rtpengine (tests add `--delete-delay=0`). */
  readonly localExtraArgs?: readonly string[];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function answersPing(host: string, port: number): Promise<boolean> {
  const probe = new NgClient({ host, port, timeoutMs: 200, retries: 0 });
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

export async function startMediaControl(options: MediaControlOptions): Promise<MediaControl> {
  const read = readEnvironment(EIMS_AGW_SCHEMA, options.env);
  if (!read.ok) throw new Error(formatConfigIssues(read.issues));
  const config = read.config;
  const { logger } = options;
  if ((config.wicInterface === undefined) !== (config.imsInterface === undefined))
    throw new Error('RTPENGINE_WIC_INTERFACE and RTPENGINE_IMS_INTERFACE must be set together');
  if (config.localPortMin > config.localPortMax)
    throw new Error('RTPENGINE_LOCAL_PORT_MIN must not exceed RTPENGINE_LOCAL_PORT_MAX');

  let addresses: readonly NgAddress[] = config.rtpengines;
  let source: MediaControlStatus['source'] = 'configured';
  let message: string | undefined;
  let local: LocalRtpengine | undefined;
  if (addresses.length === 0) {
    source = 'none';
    if (config.binary === undefined) {
      message = 'no rtpengine: RTPENGINES is empty and RTPENGINE_BINARY is empty; set RTPENGINES=host:port';
    } else if (!isExecutable(config.binary)) {
      message = `no rtpengine: RTPENGINES is empty and ${config.binary} is not installed; install it (apt-get install rtpengine-daemon) or set RTPENGINES=host:port`;
    } else if (await answersPing('127.0.0.1', config.localNgPort)) {
      // Left over from an earlier run that could not stop it, or started by hand: use it.
      addresses = [{ host: '127.0.0.1', port: config.localNgPort }];
      source = 'local';
      logger.warn(
        { rtpengine: `127.0.0.1:${config.localNgPort}` },
        `RTPENGINES is not set and an rtpengine already answers on 127.0.0.1:${config.localNgPort}: using it (not started by this process)`,
      );
    } else {
      try {
        local = await startLocalRtpengine({
          binary: config.binary,
          interface: config.localInterface,
          ngHost: '127.0.0.1',
          ngPort: config.localNgPort,
          portMin: config.localPortMin,
          portMax: config.localPortMax,
          extraArgs: options.localExtraArgs ?? [],
          logger: logger.child({ module: 'rtpengine' }),
        });
        addresses = [{ host: local.ngHost, port: local.ngPort }];
        source = 'local';
        logger.info(
          { rtpengine: `${local.ngHost}:${local.ngPort}`, pid: local.pid, media: config.localInterface },
          `RTPENGINES is not set: started a local rtpengine (user space) with NG on ${local.ngHost}:${local.ngPort}, media on ${config.localInterface}`,
        );
      } catch (error) {
        const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
        message = `no rtpengine: could not start ${config.binary} (${why}); set RTPENGINES=host:port to use a running one`;
        logger.error({ err: error }, message);
      }
    }
    if (message !== undefined && local === undefined)
      logger.warn({ media: 'unavailable' }, `${message}. Calls will be refused with 503 until then.`);
  }

  let metrics: ReturnType<typeof createEimsAgwMetrics> | undefined;
  const clients = addresses.map(
    (a) =>
      new NgClient({
        host: a.host,
        port: a.port,
        timeoutMs: config.timeoutMs,
        retries: config.retries,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        logger: logger.child({ module: 'eimsagw.ng' }),
        observe: (exchange) => metrics?.observe(exchange),
      }),
  );
  const pool = new RtpenginePool({
    instances: clients,
    selection: config.selection,
    pingIntervalMs: config.pingIntervalMs,
    pinIdleMs: config.pinIdleS * 1000,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    logger: logger.child({ module: 'eimsagw.pool' }),
  });
  metrics = createEimsAgwMetrics(options.registry, {
    instances: () => pool.status(),
    activeCalls: () => pool.activeCalls,
  });
  const policy: MediaPolicy = {
    ice: config.ice,
    wicToWic: config.wicToWic,
    imsCodecs: config.imsCodecs,
    imsMask: config.imsMask,
    wicCodecs: config.wicCodecs,
    ...(config.wicInterface === undefined ? {} : { wicInterface: config.wicInterface }),
    ...(config.imsInterface === undefined ? {} : { imsInterface: config.imsInterface }),
  };
  const gateway = new MediaGateway({ pool, policy, logger: logger.child({ module: 'eimsagw.gateway' }) });
  await pool.start();

  let stopped = false;
  return {
    gateway,
    pool,
    get status(): MediaControlStatus {
      const instances = pool.status();
      const up = instances.filter((i) => i.state === 'up').length;
      const state: MediaControlState = stopped
        ? 'stopped'
        : up === 0
          ? 'unavailable'
          : up < instances.length
            ? 'degraded'
            : 'up';
      const why =
        state === 'unavailable' && message === undefined ? 'no configured rtpengine answers ping' : message;
      return { state, source, message: state === 'unavailable' ? why : undefined, instances };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pool.stop();
      await local?.stop();
    },
  };
}

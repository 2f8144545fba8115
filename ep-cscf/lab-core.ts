import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { parseUri, type SipUri } from '../sip/index.ts';
import type { EpCscfConfig } from './ep-cscf.ts';

/**
 * The lab IMS core embedded by `npm start` when IMS_CORE_URI is empty. It lives with the
 * conformance peers (conformance/lab-core/): a small registrar/S-CSCF stand-in for trying the
 * product out, never a product core. LAB_SUBSCRIBERS names its subscribers file.
 */
export async function startEmbeddedLabCore(o: {
  host: string;
  port: number;
  domain: string;
  /** subscribers file; empty: conformance/lab-core/subscribers.default.json */
  subscribersFile: string;
  logger: Logger;
}): Promise<{ uri: string; stop(): Promise<void> }> {
  const { startLabCore } = await import('../conformance/lab-core/lab-core.ts');
  const { loadSubscribersFile } = await import('../conformance/lab-core/subscribers.ts');
  const file =
    o.subscribersFile !== ''
      ? o.subscribersFile
      : fileURLToPath(new URL('../conformance/lab-core/subscribers.default.json', import.meta.url));
  const subs = loadSubscribersFile(file);
  if (!subs.ok) throw new Error(`LAB_SUBSCRIBERS ${file}: ${subs.errors.join('; ')}`);
  const core = await startLabCore({
    host: o.host,
    port: o.port,
    domain: o.domain,
    subscribers: subs.subscribers,
    logger: o.logger,
    // The eP-CSCF sends from its Mw address; a wildcard bind sends from loopback here.
    trusted: [o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host],
  });
  return { uri: core.uri, stop: () => core.stop() };
}

/** The lab core, started when IMS_CORE_URI is empty (and said so), or nothing. */
export interface LabCoreFallback {
  /** the lab core's URI when it was started */
  readonly uri: string | undefined;
  /** the same, parsed: the eP-CSCF's next hop toward the core */
  readonly core: SipUri | undefined;
  stop(): Promise<void>;
}

export async function labCoreUnlessConfigured(
  config: EpCscfConfig,
  logger: Logger,
): Promise<LabCoreFallback> {
  if (config.imsCoreUri !== undefined) return { uri: undefined, core: undefined, stop: async () => {} };
  const lab = await startEmbeddedLabCore({
    host: config.sipHost,
    port: config.labCorePort,
    domain: config.homeDomain,
    subscribersFile: config.labSubscribers,
    logger: logger.child({ module: 'lab-core' }),
  });
  const parsed = parseUri(lab.uri);
  if (!parsed.ok || (parsed.uri.scheme !== 'sip' && parsed.uri.scheme !== 'sips')) {
    await lab.stop();
    throw new Error(`lab core URI ${lab.uri} is not a SIP URI`);
  }
  logger.warn(
    { core: lab.uri },
    `IMS_CORE_URI is not set: using the built-in lab IMS core at ${lab.uri} (a test peer, not a product core; set IMS_CORE_URI to use your IMS core)`,
  );
  return { uri: lab.uri, core: parsed.uri as SipUri, stop: () => lab.stop() };
}

import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

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

/**
 * Runs the lab IMS core alone: `npx tsx conformance/lab-core/main.ts` (environment in README.md).
 * A test peer, not a product core.
 */

import { fileURLToPath } from 'node:url';
import { formatConfigIssues, readEnvironment } from '../../app/config.ts';
import { createLogger } from '../../app/logger.ts';
import { startLabCore } from './lab-core.ts';
import { LAB_CORE_SCHEMA } from './lab-core-config.ts';
import { loadSubscribersFile } from './subscribers.ts';

const read = readEnvironment(LAB_CORE_SCHEMA, process.env);
if (!read.ok) {
  process.stderr.write(`lab-core: ${formatConfigIssues(read.issues)}`);
  process.exit(1);
}
const config = read.config;
const file = config.subscribers || fileURLToPath(new URL('./subscribers.default.json', import.meta.url));
const subs = loadSubscribersFile(file);
if (!subs.ok) {
  process.stderr.write(`lab-core: LAB_SUBSCRIBERS ${file}:\n  ${subs.errors.join('\n  ')}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel });
const core = await startLabCore({
  host: config.host,
  port: config.port,
  domain: config.domain,
  trusted: config.trusted,
  minExpires: config.minExpires,
  maxExpires: config.maxExpires,
  subscribers: subs.subscribers,
  logger,
});
process.stdout.write(`lab IMS core at ${core.uri} (domain ${config.domain})\n`);
const stop = (): void => {
  void core.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

/**
 * `npm start`: every role in one process (the eP-CSCF's SIP in worker processes with
 * EP_CSCF_WORKERS > 1). Configuration comes from environment variables (app/README.md lists
 * them); a bad value prints the variable at fault and exits 1.
 */

import { availableParallelism } from 'node:os';
import { startApp } from '../app/app.ts';
import { formatConfigIssues, loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { installShutdown } from '../app/shutdown.ts';
import { planWorkers } from '../ep-cscf/worker-plan.ts';

const loaded = loadConfig(process.env);
// EP_CSCF_WORKERS > 1 sets rules on other variables (ep-cscf/README.md): checked before anything starts.
const plan =
  loaded.ok && loaded.config.roles.includes('ep-cscf')
    ? planWorkers(process.env, availableParallelism())
    : undefined;
const issues = !loaded.ok ? loaded.issues : plan !== undefined && !plan.ok ? plan.issues : [];
if (!loaded.ok || issues.length > 0) {
  process.stderr.write(`webrtc-ims: ${formatConfigIssues(issues)}`);
  process.exit(1);
}
const { config } = loaded;
const logger = createLogger({ level: config.logLevel });

try {
  const app = await startApp({ config, logger });
  installShutdown({ app, logger, timeoutMs: config.shutdownTimeoutMs, exit: (code) => process.exit(code) });
} catch (error) {
  logger.fatal({ err: error }, 'webrtc-ims failed to start');
  process.exit(1);
}

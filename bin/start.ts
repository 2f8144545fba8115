/**
 * `npm start`: every role in one process. Configuration comes from environment variables
 * (app/README.md lists them); a bad value prints the variable at fault and exits 1.
 */

import { startApp } from '../app/app.ts';
import { formatConfigIssues, loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { installShutdown } from '../app/shutdown.ts';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`webrtc-ims: ${formatConfigIssues(loaded.issues)}`);
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

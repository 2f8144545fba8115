import { availableParallelism } from 'node:os';
import { CONFIG_SCHEMA, formatConfigIssues, readEnvironment } from '../app/config.ts';
import type { RoleDescriptor, RoleState } from '../app/roles.ts';
import { eimsAgwMedia } from './calls/eims-agw-media.ts';
import { EPCSCF_SCHEMA } from './config.ts';
import { startEpCscf } from './ep-cscf.ts';
import { labCoreUnlessConfigured } from './lab-core.ts';
import { planWorkers } from './worker-plan.ts';
import { startEpCscfWorkers } from './workers-role.ts';

/**
 * The eP-CSCF as a role of the single process (`npm start`). Reads its configuration from the
 * environment (README.md); with no IMS_CORE_URI it starts the lab IMS core on LAB_CORE_PORT
 * so the product works out of the box, and says so. With EP_CSCF_WORKERS > 1 the SIP data plane
 * runs in worker processes instead (workers-role.ts); this process keeps the lab core.
 */
export const epCscfRole: RoleDescriptor = {
  name: 'ep-cscf',
  title: 'eP-CSCF (P-CSCF enhanced for WebRTC)',
  async start(context) {
    const { logger, httpServer, registry, publicOrigins, env, tls, mediaGateway, tokenAuthority } = context;
    const read = readEnvironment(EPCSCF_SCHEMA, env);
    if (!read.ok) throw new Error(formatConfigIssues(read.issues));
    const config = read.config;
    const plan = planWorkers(env, availableParallelism());
    if (!plan.ok) throw new Error(formatConfigIssues(plan.issues));
    if (plan.config.count > 1) return startEpCscfWorkers(context, config, plan.config.count);
    const http = readEnvironment({ httpHost: CONFIG_SCHEMA.httpHost }, env);
    const lab = await labCoreUnlessConfigured(config, logger);
    const ep = await startEpCscf({
      config,
      logger,
      httpServer,
      // SIP_WS_PORT: the WebSocket listens on its own port, on the HTTP server's address.
      ...(http.ok ? { wsHost: http.config.httpHost } : {}),
      registry,
      defaultOrigins: publicOrigins,
      directory: context.directory, // pool identities for bearer tokens of scenario 3 (TS 33.203 Annex X.4)
      store: context.registrations, // the shared Redis store when REDIS_URL is set, else the eP-CSCF's memory store
      ...(lab.core === undefined ? {} : { fallbackCore: lab.core }),
      ...(tls === undefined ? {} : { tls: { key: tls.key, cert: tls.cert } }),
      // With the eIMS-AGW role, media is anchored in rtpengine; without it, SDP passes end to end.
      ...(mediaGateway === undefined ? {} : { media: eimsAgwMedia(mediaGateway) }),
      // With the WAF role, its tokens are accepted (RFC 8898) unless WAF_ISSUER names another WAF.
      ...(tokenAuthority === undefined ? {} : { tokenAuthority }),
    }).catch(async (error: unknown) => {
      await lab.stop();
      throw error;
    });
    let state: RoleState = 'up';
    return {
      get state() {
        return state;
      },
      async stop() {
        await ep.stop();
        await lab.stop();
        state = 'stopped';
      },
    };
  },
};

import { formatConfigIssues, readEnvironment } from '../app/config.ts';
import type { RoleDescriptor, RoleState } from '../app/roles.ts';
import { parseUri, type SipUri } from '../sip/index.ts';
import { eimsAgwMedia } from './calls/eims-agw-media.ts';
import { EPCSCF_SCHEMA } from './config.ts';
import { startEpCscf } from './ep-cscf.ts';
import { startEmbeddedLabCore } from './lab-core.ts';

/**
 * The eP-CSCF as a role of the single process (`npm start`). Reads its configuration from the
 * environment (README.md); with no IMS_CORE_URI it starts the lab IMS core on LAB_CORE_PORT
 * so the product works out of the box, and says so.
 */
export const epCscfRole: RoleDescriptor = {
  name: 'ep-cscf',
  title: 'eP-CSCF (P-CSCF enhanced for WebRTC)',
  async start({
    logger,
    httpServer,
    registry,
    publicOrigins,
    env,
    tls,
    mediaGateway,
    tokenAuthority,
    registrations,
    directory,
  }) {
    const read = readEnvironment(EPCSCF_SCHEMA, env);
    if (!read.ok) throw new Error(formatConfigIssues(read.issues));
    const config = read.config;
    let lab: { uri: string; stop(): Promise<void> } | undefined;
    let fallbackCore: SipUri | undefined;
    if (config.imsCoreUri === undefined) {
      lab = await startEmbeddedLabCore({
        host: config.sipHost,
        port: config.labCorePort,
        domain: config.homeDomain,
        subscribersFile: config.labSubscribers,
        logger: logger.child({ module: 'lab-core' }),
      });
      const parsed = parseUri(lab.uri);
      if (!parsed.ok || (parsed.uri.scheme !== 'sip' && parsed.uri.scheme !== 'sips'))
        throw new Error(`lab core URI ${lab.uri} is not a SIP URI`);
      fallbackCore = parsed.uri as SipUri;
      logger.warn(
        { core: lab.uri },
        `IMS_CORE_URI is not set: using the built-in lab IMS core at ${lab.uri} (a test peer, not a product core; set IMS_CORE_URI to use your IMS core)`,
      );
    }
    const ep = await startEpCscf({
      config,
      logger,
      httpServer,
      registry,
      defaultOrigins: publicOrigins,
      directory, // pool identities for bearer tokens of scenario 3 (TS 33.203 Annex X.4)
      store: registrations, // the shared Redis store when REDIS_URL is set, else the eP-CSCF's memory store
      ...(fallbackCore === undefined ? {} : { fallbackCore }),
      ...(tls === undefined ? {} : { tls: { key: tls.key, cert: tls.cert } }),
      // With the eIMS-AGW role, media is anchored in rtpengine; without it, SDP passes end to end.
      ...(mediaGateway === undefined ? {} : { media: eimsAgwMedia(mediaGateway) }),
      // With the WAF role, its tokens are accepted (RFC 8898) unless WAF_ISSUER names another WAF.
      ...(tokenAuthority === undefined ? {} : { tokenAuthority }),
    });
    let state: RoleState = 'up';
    return {
      get state() {
        return state;
      },
      async stop() {
        await ep.stop();
        await lab?.stop();
        state = 'stopped';
      },
    };
  },
};

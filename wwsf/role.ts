import { getRequestListener } from '@hono/node-server';
import { formatConfigIssues, readEnvironment } from '../app/config.ts';
import type { RoleDescriptor, RoleState } from '../app/roles.ts';
import { IMS_AUDIENCE } from '../token/claims.ts';
import { createTokenValidator } from '../token/validator.ts';
import { createWwsfApp } from './app.ts';
import { WWSF_SCHEMA } from './config.ts';
import { startTurnIfWanted } from './local-turn.ts';
import { PROVISIONING_SCHEMA } from './provisioning/index.ts';

/**
 * The WWSF as a role of the single process: a hono application mounted at `/` on the product's
 * HTTP server (the catch-all: longer mounts such as the WAF's `/oauth` win). It serves the
 * discovery document, TURN credentials and the SAPI, and validates the WAF's access tokens
 * against the WAF's JWKS (WAF_ISSUER, or the WAF of this process).
 */
export const wwsfRole: RoleDescriptor = {
  name: 'wwsf',
  title: 'WWSF (WebRTC Web Server Function)',
  async start({ logger, env, http, tokenAuthority, directory }) {
    const read = readEnvironment(WWSF_SCHEMA, env);
    if (!read.ok) throw new Error(formatConfigIssues(read.issues));
    const local = await startTurnIfWanted(read.config, logger);
    const config = local === undefined ? read.config : { ...read.config, ...local.settings };
    const provisioning = readEnvironment(PROVISIONING_SCHEMA, env);
    if (!provisioning.ok) throw new Error(formatConfigIssues(provisioning.issues));
    if (config.turnSecret === undefined && config.turnUrls.some((u) => u.scheme.startsWith('turn')))
      logger.warn('TURN_URLS names TURN servers but TURN_SECRET is empty: they are not announced');
    const issuer = (): string | undefined => config.wafIssuer ?? tokenAuthority?.issuer();
    const validator = createTokenValidator({
      issuer: () => issuer() ?? '',
      audience: IMS_AUDIENCE,
      mode: 'jwks',
      jwksUri: config.jwksUri,
      logger: logger.child({ module: 'wwsf.token' }),
    });
    const app = createWwsfApp({
      config,
      directory,
      checkToken: (token) => validator.validate(token),
      issuer,
      wallClock: Date.now,
      logger,
      provisioning: provisioning.config,
    });
    http.mount('/', getRequestListener(app.fetch, { overrideGlobalObjects: false }));
    logger.info(
      { discovery: '/.well-known/webrtc-ims', sapi: '/sapi', turn: config.turnSecret !== undefined },
      'WWSF serving the discovery document and the SAPI',
    );
    let state: RoleState = 'up';
    return {
      get state() {
        return state;
      },
      async stop() {
        http.unmount('/');
        await local?.coturn.stop();
        state = 'stopped';
      },
    };
  },
};

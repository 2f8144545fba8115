/**
 * The WAF as a role of the single process (`npm start`): mounts the OAuth endpoints at `/oauth`
 * on the product's HTTP server, logs subscribers in against the app's directory, and hands its
 * TokenAuthority to the roles started after it.
 */
import type { RoleDescriptor, RoleHandle, RoleState } from '../app/roles.ts';
import type { TokenAuthority } from '../token/authority.ts';
import { createWaf, WAF_MOUNT_PATH } from './waf.ts';

export interface WafRoleHandle extends RoleHandle {
  readonly authority: TokenAuthority;
}

export const wafRole: RoleDescriptor = {
  name: 'waf',
  title: 'WAF (WebRTC Authorization Function)',
  async start({ logger, http, registry, env, publicOrigins, directory }): Promise<WafRoleHandle> {
    const waf = await createWaf({
      directory,
      origins: publicOrigins,
      env,
      logger,
      registry,
      mountPath: WAF_MOUNT_PATH,
    });
    http.mount(WAF_MOUNT_PATH, waf.listener);
    logger.info(
      {
        issuer: waf.config.issuer ?? `<first public origin>${WAF_MOUNT_PATH}`,
        storage: waf.config.redisUrl === undefined ? 'memory' : 'redis',
        federation: waf.config.upstreamIssuer !== undefined,
      },
      'WAF mounted',
    );
    let state: RoleState = 'up';
    return {
      authority: waf.authority,
      get state() {
        return state;
      },
      async stop() {
        http.unmount(WAF_MOUNT_PATH);
        await waf.stop();
        state = 'stopped';
      },
    };
  },
};

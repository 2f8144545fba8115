import type { RoleContext, RoleDescriptor, RoleHandle, RoleState } from '../app/roles.ts';
import type { MediaGateway } from './gateway.ts';
import { type MediaControlStatus, startMediaControl } from './start.ts';

/** The role handle, plus what the eP-CSCF needs: the gateway and the media status. */
export interface EimsAgwHandle extends RoleHandle {
  readonly gateway: MediaGateway;
  readonly media: MediaControlStatus;
}

/** A role descriptor whose handle also carries the gateway. */
export interface EimsAgwRoleDescriptor extends RoleDescriptor {
  start(context: RoleContext): Promise<EimsAgwHandle>;
}

/**
 * The eIMS-AGW as a role of the single process (`npm start`). It reads its configuration from
 * the environment (README.md); with no RTPENGINES it starts a local rtpengine when one is
 * installed. Its state is `up` while at least one rtpengine answers and `failed` while none
 * does (so /healthz says `degraded`: calls get 503), `stopped` after stop().
 */
export const eimsAgwRole: EimsAgwRoleDescriptor = {
  name: 'eims-agw',
  title: 'eIMS-AGW (IMS Access Gateway for WebRTC)',
  async start({ logger, registry, env }) {
    const media = await startMediaControl({ env, logger, registry });
    let stopped = false;
    return {
      gateway: media.gateway,
      get media() {
        return media.status;
      },
      get state(): RoleState {
        if (stopped) return 'stopped';
        return media.status.state === 'unavailable' ? 'failed' : 'up';
      },
      async stop() {
        stopped = true;
        await media.stop();
      },
    };
  },
};

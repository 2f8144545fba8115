import { MediaError as AgwError, type MediaGateway as AgwGateway } from '../../eims-agw/index.ts';
import { MediaError, type MediaGateway } from './media.ts';

/** The eIMS-AGW (rtpengine) as the eP-CSCF's media gateway: results and errors mapped to the port. */
export function eimsAgwMedia(g: AgwGateway): MediaGateway {
  const map = (err: unknown): never => {
    if (err instanceof AgwError) throw new MediaError(err.sipStatus, err.warning, err.retryAfter);
    throw err;
  };
  return {
    offer: async (o) => (await g.offer(o).catch(map)).sdp,
    answer: async (o) => (await g.answer(o).catch(map)).sdp,
    delete: async (o) => {
      await g.delete(o).catch(map);
    },
  };
}

/**
 * `npm start` with coturn installed and no TURN_URLS: the WWSF starts a coturn on loopback (the
 * eIMS-AGW's launcher, eims-agw/local-coturn.ts) and announces it with credentials under the
 * secret made for it; without coturn it says what is missing and how to add it.
 */
import { accessSync, constants } from 'node:fs';
import type { Logger } from '../app/logger.ts';
import { type IceUrl, type LocalCoturn, parseIceUrl, startLocalCoturn } from '../eims-agw/index.ts';
import type { WwsfConfig } from './services.ts';

export interface LocalTurn {
  readonly coturn: LocalCoturn;
  /** what replaces TURN_URLS and TURN_SECRET */
  readonly settings: { readonly turnUrls: readonly IceUrl[]; readonly turnSecret: string };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startTurnIfWanted(config: WwsfConfig, logger: Logger): Promise<LocalTurn | undefined> {
  if (config.turnUrls.length > 0) return undefined;
  const binary = config.turnBinary;
  if (binary === undefined) {
    logger.info('TURN_URLS is empty and TURNSERVER_BINARY is empty: clients get no STUN/TURN server');
    return undefined;
  }
  if (!executable(binary)) {
    logger.warn(
      { binary },
      `TURN_URLS is empty and coturn is not installed (${binary}): clients get no TURN relay. Add it with "apt-get install coturn", or set TURN_URLS and TURN_SECRET to use your own coturn`,
    );
    return undefined;
  }
  const host = config.turnLocalHost;
  const port = config.turnLocalPort;
  try {
    const coturn = await startLocalCoturn({
      binary,
      host,
      port,
      relayMin: port + 2,
      relayMax: port + 201,
      realm: config.sipDomain,
      logger: logger.child({ module: 'coturn' }),
    });
    const turnUrls = coturn.urls.map((u) => parseIceUrl(u)).filter((u): u is IceUrl => u !== undefined);
    logger.info(
      { urls: coturn.urls, pid: coturn.pid },
      `TURN_URLS is not set: started a local coturn on ${host}:${port} (TURN REST credentials, secret made for this run)`,
    );
    return { coturn, settings: { turnUrls, turnSecret: coturn.secret } };
  } catch (err) {
    logger.warn(
      { err: err instanceof Error ? err.message.split('\n')[0] : String(err), host, port },
      'could not start the local coturn: clients get no TURN relay (set TURN_LOCAL_PORT, or TURN_URLS and TURN_SECRET)',
    );
    return undefined;
  }
}

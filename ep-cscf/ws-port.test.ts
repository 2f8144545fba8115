import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningApp, startApp } from '../app/app.ts';
import { loadConfig } from '../app/config.ts';
import { memoryLogger } from '../app/test-log.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Opens a SIP WebSocket (RFC 7118 `sip` subprotocol): the selected protocol, or the HTTP status of a refusal. */
function handshake(url: string): Promise<{ protocol: string } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'sip');
    ws.once('open', () => {
      resolve({ protocol: ws.protocol });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('eP-CSCF: the SIP WebSocket on a port of its own (SIP_WS_PORT) in the single process', () => {
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('[DESIGN-workers-ws-port][DESIGN-workers-discovery] MUST serve the SIP WebSocket on SIP_WS_PORT instead of the HTTP port, and the discovery document MUST announce that port', async () => {
    const wsPort = await freePort();
    const env = {
      HTTP_HOST: '127.0.0.1',
      SIP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      LAB_CORE_PORT: '0',
      SIP_WS_PORT: String(wsPort),
      RTPENGINE_BINARY: '',
      TURNSERVER_BINARY: '',
    };
    const loaded = loadConfig({ HTTP_PORT: '0', DATABASE_FILE: ':memory:', ...env });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    app = await startApp({ config: loaded.config, logger: memoryLogger().logger, env });
    expect(await handshake(`ws://127.0.0.1:${wsPort}/sip`)).toEqual({ protocol: 'sip' });
    expect(await handshake(`ws://127.0.0.1:${app.port}/sip`)).toMatchObject({ status: expect.any(Number) });
    const health = (await (await fetch(`${app.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ roles: { 'ep-cscf': 'up' } });
    expect(health).not.toHaveProperty('workers');
    const discovery = await fetch(`${app.url}/.well-known/webrtc-ims?domain=ims.lab`);
    expect(((await discovery.json()) as { webSocketUrls: string[] }).webSocketUrls).toEqual([
      `ws://127.0.0.1:${wsPort}/sip`,
    ]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app/app.ts';
import { loadConfig } from '../app/config.ts';
import { memoryLogger } from '../app/test-log.ts';

describe('WWSF role in the single process', () => {
  const running: RunningApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((a) => a.stop()));
  });

  async function start(env: Record<string, string>) {
    const read = loadConfig({
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      ROLES: 'wwsf',
      DATABASE_FILE: ':memory:',
      DIRECTORY_SEED: 'lab',
    });
    if (!read.ok) throw new Error(JSON.stringify(read.issues));
    const log = memoryLogger();
    const app = await startApp({ config: read.config, logger: log.logger, env });
    running.push(app);
    return { app, lines: log.lines };
  }

  it('[WWSF-role-mount] MUST serve the discovery document of the seeded lab domain at / while /healthz stays the app own', async () => {
    const { app } = await start({});
    const health = await fetch(`${app.url}/healthz`);
    expect(await health.json()).toMatchObject({ roles: { wwsf: 'up' } });
    const response = await fetch(`${app.url}/.well-known/webrtc-ims?domain=ims.lab`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      domain: 'ims.lab',
      sipDomain: 'ims.lab',
      webSocketUrls: [`ws://127.0.0.1:${app.port}/sip`],
      capabilities: ['call', 'message', 'video'],
      anonymous: { enabled: true, capabilities: ['call', 'message'] },
    });
    // No WAF in this process and no WAF_ISSUER: no authorization section is invented.
    expect(doc.authorization).toBeUndefined();
    const other = await fetch(`${app.url}/no/such/page`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });

  it('[WWSF-role-config] MUST refuse to start on a bad setting, naming the variable', async () => {
    await expect(start({ TURN_URLS: 'http://turn.example' })).rejects.toThrow(/TURN_URLS/);
  });

  it('[WWSF-role-stop] MUST unmount its routes on stop', async () => {
    const { app } = await start({});
    await app.stop();
    await expect(fetch(`${app.url}/.well-known/webrtc-ims`)).rejects.toThrow();
    expect(app.health().roles.wwsf).toBe('stopped');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import type { RoleName } from './role-name.ts';
import type { RoleDescriptor, RoleState } from './roles.ts';
import { memoryLogger } from './test-log.ts';

function config(env: Record<string, string> = {}): Config {
  const result = loadConfig({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', DATABASE_FILE: ':memory:', ...env });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

/** A role whose state the test controls, recording start/stop in `events`. */
function fakeRole(name: RoleName, events: string[], state: { value: RoleState }): RoleDescriptor {
  return {
    name,
    title: name,
    async start() {
      events.push(`start ${name}`);
      return {
        get state() {
          return state.value;
        },
        async stop() {
          events.push(`stop ${name}`);
          state.value = 'stopped';
        },
      };
    },
  };
}

describe('single entry point', () => {
  const running: RunningApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.stop()));
  });

  async function start(options: { env?: Record<string, string>; roles?: RoleDescriptor[] } = {}) {
    const log = memoryLogger();
    const app = await startApp({
      config: config(options.env),
      logger: log.logger,
      // The eP-CSCF and its lab core on free ports, so tests can run side by side.
      env: {
        SIP_HOST: '127.0.0.1',
        SIP_PORT: '0',
        LAB_CORE_PORT: '0',
        RTPENGINE_BINARY: '',
        TURNSERVER_BINARY: '',
      },
      ...(options.roles ? { roles: options.roles } : {}),
    });
    running.push(app);
    return { app, lines: log.lines };
  }

  it('[DESIGN-operability-healthz] MUST answer /healthz per role: the eP-CSCF up, the eIMS-AGW failed without rtpengine, XMPP not-built', async () => {
    // RTPENGINE_BINARY is empty here (no rtpengine may be spawned by parallel tests): the
    // eIMS-AGW has no media engine, says so, and /healthz reports the product degraded.
    const { app, lines } = await start();
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      status: 'degraded',
      roles: {
        waf: 'up',
        wwsf: 'up',
        'eims-agw': 'failed',
        'ep-cscf': 'up',
        xmpp: 'not-built',
      },
    });
    const notBuilt = lines.filter((line) => /role not built yet/.test(line.msg ?? ''));
    expect(notBuilt.map((line) => [line.module, line.issue])).toEqual([['xmpp', 'no issue yet']]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        module: 'app',
        port: app.port,
        msg: expect.stringContaining(`listening on ${app.url}`),
      }),
    );
  });

  it('[DESIGN-operability-metrics] MUST expose default process metrics and webrtc_ims_role_up per role', async () => {
    const events: string[] = [];
    const { app } = await start({ roles: [fakeRole('ep-cscf', events, { value: 'up' })] });
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).toContain('webrtc_ims_role_up{role="ep-cscf"} 1');
    expect(text).toContain('webrtc_ims_role_up{role="waf"} 0');
  });

  it('[DESIGN-operability-healthz] MUST report disabled roles and answer 503 degraded when a role fails', async () => {
    const events: string[] = [];
    const state = { value: 'up' as RoleState };
    const { app } = await start({ env: { ROLES: 'ep-cscf' }, roles: [fakeRole('ep-cscf', events, state)] });
    expect(await (await fetch(`${app.url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      roles: { 'ep-cscf': 'up', waf: 'disabled' },
    });
    state.value = 'failed';
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'degraded', roles: { 'ep-cscf': 'failed' } });
    expect(await (await fetch(`${app.url}/metrics`)).text()).toContain(
      'webrtc_ims_role_up{role="ep-cscf"} 0',
    );
  });

  it('answers other paths with a 404 problem document and other methods with 405 and Allow', async () => {
    const { app } = await start();
    const missing = await fetch(`${app.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({ status: 404, title: 'Not Found' });
    const post = await fetch(`${app.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('[DESIGN-operability-drain] MUST close the HTTP server, then stop roles in reverse start order', async () => {
    const events: string[] = [];
    const roles = (['waf', 'eims-agw', 'ep-cscf'] as const).map((name) =>
      fakeRole(name, events, { value: 'up' }),
    );
    const { app, lines } = await start({ roles });
    await fetch(`${app.url}/healthz`);
    await app.stop();
    expect(events).toEqual([
      'start waf',
      'start eims-agw',
      'start ep-cscf',
      'stop ep-cscf',
      'stop eims-agw',
      'stop waf',
    ]);
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
    expect(app.health().status).toBe('stopping');
    expect(lines.at(-1)).toMatchObject({ module: 'app', msg: 'stopped' });
    await app.stop(); // idempotent
    expect(events).toHaveLength(6);
  });

  it('MUST stop the roles already started and reject when a role fails to start', async () => {
    const events: string[] = [];
    const broken: RoleDescriptor = {
      name: 'ep-cscf',
      title: 'broken',
      start: () => Promise.reject(new Error('no Mw address')),
    };
    const log = memoryLogger();
    const starting = startApp({
      config: config(),
      logger: log.logger,
      roles: [fakeRole('waf', events, { value: 'up' }), broken],
    });
    await expect(starting).rejects.toThrow('no Mw address');
    expect(events).toEqual(['start waf', 'stop waf']);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 60, role: 'ep-cscf' }));
  });

  it('MUST fail to start, naming the port, when the port is taken', async () => {
    const { app: first } = await start();
    const log = memoryLogger();
    await expect(
      startApp({
        config: config({ HTTP_PORT: String(first.port) }),
        logger: log.logger,
        env: {
          SIP_HOST: '127.0.0.1',
          SIP_PORT: '0',
          LAB_CORE_PORT: '0',
          RTPENGINE_BINARY: '',
          TURNSERVER_BINARY: '',
        },
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'cannot listen', port: first.port }));
  });
});

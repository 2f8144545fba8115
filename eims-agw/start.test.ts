/**
 * `npm start` behaviour of media control: a local rtpengine when RTPENGINES is unset and one is
 * installed, a plain message and typed 503 errors when there is none, metrics on the registry.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRoutes } from '../app/http-server.ts';
import type { RoleContext } from '../app/roles.ts';
import { memoryLogger } from '../app/test-log.ts';
import { findBinary } from '../conformance/harness/binary.ts';
import { isPortFree, PortAllocator } from '../conformance/harness/ports.ts';
import { RtpengineUnavailable, UnsatisfiableSdp } from './errors.ts';
import { eimsAgwRole } from './role.ts';
import { startMediaControl } from './start.ts';
import { imsSdp, inspect, openSink, vector } from './test-fixtures.ts';

let ports: PortAllocator;
let sink: Awaited<ReturnType<typeof openSink>>;

beforeAll(async () => {
  ports = await PortAllocator.open();
  sink = await openSink();
});
afterAll(async () => {
  await sink?.close();
  await ports?.close();
});

function roleContext(env: Record<string, string>, registry: Registry): RoleContext {
  const { logger } = memoryLogger();
  return {
    logger,
    registry,
    env,
    tls: undefined,
    mediaGateway: undefined,
    tokenAuthority: undefined,
    // The eIMS-AGW reads no subscribers and keeps no registrations.
    directory: undefined as unknown as RoleContext['directory'],
    registrations: undefined,
    publicOrigins: () => [],
    // The eIMS-AGW serves nothing over HTTP.
    httpServer: undefined as unknown as RoleContext['httpServer'],
    http: new HttpRoutes(),
  };
}

describe('media control at npm start', () => {
  it('[DESIGN-npm-start-local-rtpengine] MUST start a user-space rtpengine on loopback when RTPENGINES is unset, use it, count its requests, and stop it', async () => {
    const rtpengineBinary = findBinary('rtpengine');
    expect(rtpengineBinary, 'rtpengine-daemon must be installed (scripts/install-peers.sh)').toBeDefined();
    const ngPort = await ports.udp();
    const media = await ports.range(40, 'udp');
    const registry = new Registry();
    const { logger, lines } = memoryLogger();
    const env = {
      RTPENGINE_BINARY: rtpengineBinary ?? '',
      RTPENGINE_LOCAL_NG_PORT: String(ngPort),
      RTPENGINE_LOCAL_PORT_MIN: String(media.min),
      RTPENGINE_LOCAL_PORT_MAX: String(media.max),
    };
    const control = await startMediaControl({
      env,
      logger,
      registry,
      localExtraArgs: ['--delete-delay=0'],
    });
    try {
      expect(control.status).toMatchObject({ state: 'up', source: 'local', message: undefined });
      expect(control.status.instances.map((i) => i.address)).toEqual([`127.0.0.1:${ngPort}`]);
      expect(lines.some((l) => /started a local rtpengine/.test(l.msg ?? ''))).toBe(true);

      // A second start finds the rtpengine already answering and uses it without owning it.
      const second = await startMediaControl({ env, logger, registry: new Registry() });
      expect(second.status).toMatchObject({ state: 'up', source: 'local' });
      expect(lines.some((l) => /already answers on 127\.0\.0\.1/.test(l.msg ?? ''))).toBe(true);
      await second.stop();
      expect(control.status.state).toBe('up');
      await control.pool.checkNow();
      expect(control.status.state).toBe('up');

      // The role handle over the same rtpengine, as the app would start it with RTPENGINES set.
      const role = await eimsAgwRole.start(
        roleContext({ RTPENGINES: `127.0.0.1:${ngPort}` }, new Registry()),
      );
      expect(role.state).toBe('up');
      expect(role.media.source).toBe('configured');
      await role.stop();
      expect(role.state).toBe('stopped');

      const offer = await control.gateway.offer({
        callId: `start-${process.pid}`,
        fromTag: 'i',
        sdp: imsSdp(sink.port),
        from: 'ims',
        to: 'wic',
      });
      const out = inspect(offer.sdp);
      expect((out.media.connection ?? out.session.connection)?.ip).toBe('127.0.0.1');
      expect(out.media.port).toBeGreaterThanOrEqual(media.min);
      expect(out.media.port).toBeLessThanOrEqual(media.max);

      const text = await registry.metrics();
      expect(text).toMatch(/eimsagw_ng_requests_total\{command="offer",result="ok"\} 1/);
      expect(text).toMatch(/eimsagw_ng_request_seconds_count\{command="offer"\} 1/);
      expect(text).toContain(`eimsagw_rtpengine_up{instance="127.0.0.1:${ngPort}"} 1`);
      expect(text).toMatch(/eimsagw_active_calls 1/);

      await control.gateway.delete({ callId: `start-${process.pid}` });
      expect(await registry.metrics()).toMatch(/eimsagw_active_calls 0/);
    } finally {
      await control.stop();
      ports.release(media);
    }
    expect(control.status.state).toBe('stopped');
    expect(await isPortFree(ngPort, 'udp')).toBe(true);
  });

  it('[DESIGN-npm-start-no-rtpengine] MUST say what is missing when no rtpengine is configured or installed, and refuse calls with a typed 503 error', async () => {
    const { logger, lines } = memoryLogger();
    const control = await startMediaControl({
      env: { RTPENGINE_BINARY: '/nonexistent/rtpengine' },
      logger,
      registry: new Registry(),
    });
    try {
      expect(control.status.state).toBe('unavailable');
      expect(control.status.source).toBe('none');
      expect(control.status.message).toMatch(/apt-get install rtpengine-daemon/);
      expect(control.status.message).toMatch(/RTPENGINES=host:port/);
      expect(lines.some((l) => l.level === 40 && /apt-get install rtpengine-daemon/.test(l.msg ?? ''))).toBe(
        true,
      );

      const error = await control.gateway
        .offer({ callId: 'x', fromTag: 'w', sdp: imsSdp(sink.port), from: 'ims', to: 'wic' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RtpengineUnavailable);
      expect((error as RtpengineUnavailable).reason).toBe('not-configured');
      expect((error as RtpengineUnavailable).sipStatus).toBe(503);
      expect((error as RtpengineUnavailable).retryAfter).toBeGreaterThan(0);
      // Bad SDP is still a 488, whatever the state of media control.
      await expect(
        control.gateway.offer({
          callId: 'y',
          fromTag: 'w',
          sdp: vector('sdp-transform/invalid.sdp'),
          from: 'wic',
          to: 'ims',
        }),
      ).rejects.toBeInstanceOf(UnsatisfiableSdp);
    } finally {
      await control.stop();
    }

    const role = await eimsAgwRole.start(roleContext({ RTPENGINE_BINARY: '' }, new Registry()));
    expect(role.state).toBe('failed');
    expect(role.media.message).toMatch(/RTPENGINE_BINARY is empty; set RTPENGINES/);
    await role.stop();
  });

  it('[DESIGN-configuration-errors-eims-agw] MUST refuse a bad eIMS-AGW variable naming it', async () => {
    await expect(
      startMediaControl({
        env: { RTPENGINES: 'nohostport' },
        logger: memoryLogger().logger,
        registry: new Registry(),
      }),
    ).rejects.toThrow(/RTPENGINES must be a comma-separated list of host:port/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWwsf, type WwsfUnderTest } from '../../wwsf/test-support.ts';
import { findBinary } from '../harness/binary.ts';
import { PortAllocator } from '../harness/ports.ts';
import { turnAllocate } from '../harness/turn-client.ts';

/**
 * `npm start` without TURN_URLS on a machine with coturn: the WWSF starts its own coturn (its
 * secret made for the run), announces it, and the credentials it hands a signed-in WIC get a
 * relay from it; the coturn goes away with the role.
 */
describe('the local coturn of npm start', () => {
  let ports: PortAllocator;
  let w: WwsfUnderTest;
  let turnPort: number;

  beforeAll(async () => {
    ports = await PortAllocator.open();
    // The coturn takes its port, port + 1 (RFC 5780 alternate) and 200 relay ports above.
    const range = await ports.range(202, 'both');
    turnPort = range.min;
    w = await startWwsf({
      TURNSERVER_BINARY: findBinary('turnserver') ?? '/usr/bin/turnserver',
      TURN_LOCAL_PORT: String(turnPort),
      IMS_DOMAIN: 'ims.test',
    });
    await w.directory.putDomain({
      name: 'ims.test',
      parent: undefined,
      allowedOrigins: [],
      anonymous: { enabled: false, tokenTtl: 300, capabilities: [] },
      services: ['call'],
    });
  });
  afterAll(async () => {
    await w?.stop();
    await ports?.close();
  });

  it('[DESIGN-npm-start-local-coturn] MUST start a coturn on loopback when TURN_URLS is empty and coturn is installed, announce it, and relay for the credentials it issues', async () => {
    const token = await w.token({ sub: 'wic-local-1', domain: 'ims.test' });
    const response = await fetch(`${w.url}/.well-known/webrtc-ims?domain=ims.test`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      iceServers: { urls: string[]; username?: string; credential?: string }[];
    };
    const urls = doc.iceServers.flatMap((s) => s.urls);
    expect(urls).toContain(`stun:127.0.0.1:${turnPort}`);
    expect(urls).toContain(`turn:127.0.0.1:${turnPort}?transport=udp`);
    const turn = doc.iceServers.find((s) => s.urls.some((u) => u.startsWith('turn:')));
    const outcome = await turnAllocate({
      host: '127.0.0.1',
      port: turnPort,
      username: turn?.username ?? '',
      password: turn?.credential ?? '',
    });
    expect(outcome).toMatchObject({ kind: 'allocated', integrity: true });
    const forged = await turnAllocate({
      host: '127.0.0.1',
      port: turnPort,
      username: turn?.username ?? '',
      password: 'not-the-credential',
    });
    expect(forged).toMatchObject({ kind: 'refused', code: 401 });
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWwsf, type WwsfUnderTest } from '../../wwsf/test-support.ts';
import { type Coturn, startCoturn } from '../coturn/coturn.ts';
import { PortAllocator } from '../harness/ports.ts';
import { turnAllocate } from '../harness/turn-client.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';

/**
 * W1 end to end: a WIC signed in at the WAF asks the running WWSF for its ICE servers, and the
 * coturn that shares the WWSF's TURN_SECRET relays for it with exactly what the WWSF returned.
 */
describe('WWSF TURN credentials against coturn (W1 + TURN REST API)', () => {
  const secret = randomBytes(24).toString('base64');
  let ports: PortAllocator;
  let coturn: Coturn;
  let w: WwsfUnderTest;
  printPeerOutputOnFailure(() => [coturn]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    coturn = await startCoturn({ ports, secret, realm: 'turn.ims.test' });
    w = await startWwsf({
      TURN_SECRET: secret,
      TURN_URLS: `stun:${coturn.host}:${coturn.port},turn:${coturn.host}:${coturn.port}?transport=udp`,
    });
    await w.directory.putDomain({
      name: 'ims.test',
      parent: undefined,
      allowedOrigins: [],
      anonymous: { enabled: true, tokenTtl: 300, capabilities: [] },
      services: ['call'],
    });
  });
  afterAll(async () => {
    await w?.stop();
    await coturn?.stop();
    await ports?.close();
  });

  it('[TURNREST-2.2-wwsf-coturn] coturn MUST grant a relay to the ICE server credential the discovery document gives a signed-in WIC', async () => {
    const token = await w.token({ sub: 'wic-user-1', domain: 'ims.test' });
    const response = await fetch(`${w.url}/.well-known/webrtc-ims`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      iceServers: { urls: string[]; username?: string; credential?: string }[];
    };
    const turn = doc.iceServers.find((s) => s.urls.some((u) => u.startsWith('turn:')));
    expect(turn?.username).toMatch(/^\d+:wic-user-1$/);
    const outcome = await turnAllocate({
      host: coturn.host,
      port: coturn.port,
      username: turn?.username ?? '',
      password: turn?.credential ?? '',
    });
    expect(outcome).toMatchObject({ kind: 'allocated', integrity: true, released: true });
  });

  it('[TURNREST-2.2-wwsf-tampered] coturn MUST refuse a credential from /turn-credentials whose username was altered (another user or a later expiry)', async () => {
    const token = await w.token({ sub: 'wic-user-2', domain: 'ims.test' });
    const response = await fetch(`${w.url}/turn-credentials`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const issued = (await response.json()) as { username: string; credential: string; expiresAt: number };
    const allocate = (username: string) =>
      turnAllocate({ host: coturn.host, port: coturn.port, username, password: issued.credential });
    expect((await allocate(issued.username)).kind).toBe('allocated');
    expect(await allocate(`${issued.expiresAt}:wic-user-1`)).toMatchObject({ kind: 'refused', code: 401 });
    expect(await allocate(`${issued.expiresAt + 3600}:wic-user-2`)).toMatchObject({
      kind: 'refused',
      code: 401,
    });
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnCredentials } from '../../eims-agw/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { turnAllocate } from '../harness/turn-client.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Coturn, startCoturn } from './coturn.ts';

/**
 * The credentials the WWSF hands out (eims-agw/turn-credentials.ts) against a real coturn with
 * `use-auth-secret`: an Allocate with them gets a relay; expired ones and ones minted with
 * another secret are refused and get no relay.
 */
describe('TURN REST API credentials against coturn', () => {
  const secret = randomBytes(24).toString('base64');
  let ports: PortAllocator;
  let coturn: Coturn;
  printPeerOutputOnFailure(() => [coturn]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    coturn = await startCoturn({ ports, secret, realm: 'turn.ims.test' });
  });
  afterAll(async () => {
    await coturn?.stop();
    await ports?.close();
  });

  const mint = (options: { secret?: string; now?: number; ttlSeconds?: number; user?: string } = {}) =>
    turnCredentials({
      secret: options.secret ?? secret,
      ttlSeconds: options.ttlSeconds ?? 600,
      user: options.user ?? 'subscriber-1',
      now: options.now ?? Date.now(),
      urls: [`turn:${coturn.host}:${coturn.port}?transport=udp`],
    });

  const allocate = (username: string, password: string) =>
    turnAllocate({ host: coturn.host, port: coturn.port, username, password });

  it('[TURNREST-2.2-accepted] coturn MUST grant an Allocate made with a credential the WWSF issued, relaying from its own relay range', async () => {
    const issued = mint();
    const outcome = await allocate(issued.username, issued.credential);
    expect(outcome.challenge).toMatchObject({ code: 401, realm: 'turn.ims.test' });
    expect(outcome.kind).toBe('allocated');
    if (outcome.kind !== 'allocated') return;
    expect(outcome.integrity).toBe(true);
    expect(outcome.relayed?.address).toBe('127.0.0.1');
    expect(outcome.relayed?.port).toBeGreaterThanOrEqual(coturn.relayPorts.min);
    expect(outcome.relayed?.port).toBeLessThanOrEqual(coturn.relayPorts.max);
    expect(outcome.lifetime).toBeGreaterThan(0);
    expect(outcome.released).toBe(true);
  });

  it('[TURNREST-2.2-expired] coturn MUST refuse with 401 a credential whose expiry is past, granting no relay', async () => {
    // Issued two hours ago with a one-hour lifetime: expired an hour ago.
    const expired = mint({ now: Date.now() - 7_200_000, ttlSeconds: 3600 });
    const outcome = await allocate(expired.username, expired.credential);
    expect(outcome).toMatchObject({ kind: 'refused', code: 401 });
  });

  it('[TURNREST-2.2-wrong-secret] coturn MUST refuse with 401 a credential minted with another secret, granting no relay', async () => {
    const forged = mint({ secret: 'not-the-shared-secret' });
    const outcome = await allocate(forged.username, forged.credential);
    expect(outcome).toMatchObject({ kind: 'refused', code: 401 });
    // The same username with the right password still works: only the secret was wrong.
    const genuine = mint();
    expect((await allocate(genuine.username, genuine.credential)).kind).toBe('allocated');
  });

  it('[TURNREST-2.2-username-bound] coturn MUST refuse a password presented with another username (the expiry cannot be extended)', async () => {
    const issued = mint({ now: Date.now() - 7_200_000, ttlSeconds: 3600 });
    const [expiry, user] = issued.username.split(':');
    const extended = `${Number(expiry) + 86_400}:${user}`;
    expect((await allocate(extended, issued.credential)).kind).toBe('refused');
  });
});

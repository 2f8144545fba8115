import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Postgres, startPostgres } from './postgres.ts';

describe('postgres peer', () => {
  let ports: PortAllocator;
  let postgres: Postgres | undefined;
  printPeerOutputOnFailure(() => [postgres]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await postgres?.stop();
    await ports.close();
  });

  it('[HARNESS-postgres-lifecycle] MUST start a fresh cluster on a free loopback port with durability off, run SQL in a new database, and leave no process, port or data dir behind on stop', async () => {
    const peer = await startPostgres({ ports });
    postgres = peer;
    const admin = new pg.Client({ connectionString: peer.url });
    await admin.connect();
    const settings = await admin.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'listen_addresses', 'port') ORDER BY name",
    );
    expect(settings.rows).toEqual([
      { name: 'fsync', setting: 'off' },
      { name: 'listen_addresses', setting: '127.0.0.1' },
      { name: 'port', setting: String(peer.port) },
    ]);
    const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]
      ?.data_directory;
    await admin.query('CREATE DATABASE harness_smoke');
    await admin.end();

    const client = new pg.Client({ connectionString: peer.urlOf('harness_smoke') });
    const clientErrors: unknown[] = [];
    client.on('error', (error) => clientErrors.push(error));
    await client.connect();
    await client.query('CREATE TABLE t (v text)');
    await client.query('INSERT INTO t VALUES ($1)', ['värde']);
    expect((await client.query<{ v: string }>('SELECT v FROM t')).rows).toEqual([{ v: 'värde' }]);
    // Stopping with a client still connected must not wait for it (fast shutdown).
    await peer.stop();
    await client.end().catch(() => undefined);
    // ... it terminates the session instead (57P01 admin_shutdown).
    expect(clientErrors.map((e) => (e as { code?: unknown }).code)).toContain('57P01');

    expect(groupAlive(peer.process.pid)).toBe(false);
    expect(await isPortFree(peer.port, 'tcp')).toBe(true);
    expect(dataDir).toMatch(/webrtc-ims-postgres-/);
    expect(existsSync(dataDir ?? '')).toBe(false);
  });
});

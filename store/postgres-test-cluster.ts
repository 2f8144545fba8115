/**
 * Test helper: one throwaway PostgreSQL cluster per test file (conformance/postgres), and a fresh
 * empty database on it for each directory the tests open. Call `usePostgresCluster()` at the top
 * level of a test file.
 */

import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { PortAllocator } from '../conformance/harness/ports.ts';
import { printPeerOutputOnFailure } from '../conformance/harness/vitest-hooks.ts';
import { type Postgres, startPostgres } from '../conformance/postgres/postgres.ts';

export interface PostgresCluster {
  /** The URL of a new, empty database. */
  freshDatabase(): Promise<string>;
  /** Runs one statement as the superuser on the database of `url`. */
  sql(url: string, text: string, params?: unknown[]): Promise<unknown[]>;
  /** The running server (after beforeAll). */
  server(): Postgres;
}

export function usePostgresCluster(): PostgresCluster {
  let ports: PortAllocator | undefined;
  let postgres: Postgres | undefined;
  let databases = 0;
  printPeerOutputOnFailure(() => [postgres]);
  beforeAll(async () => {
    ports = await PortAllocator.open();
    postgres = await startPostgres({ ports });
  });
  afterAll(async () => {
    await postgres?.stop();
    await ports?.close();
  });

  const server = (): Postgres => {
    if (postgres === undefined) throw new Error('postgres not started');
    return postgres;
  };
  const sql = async (url: string, text: string, params: unknown[] = []): Promise<unknown[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    server,
    sql,
    async freshDatabase() {
      const name = `directory_${++databases}`;
      await sql(server().url, `CREATE DATABASE ${name}`);
      return server().urlOf(name);
    },
  };
}

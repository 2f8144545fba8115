import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { credential, directoryContract, domain, subscriber } from './directory-contract.ts';
import { openSqliteDirectory } from './sqlite-directory.ts';
import { SCHEMA_VERSION, SQLITE_MIGRATIONS } from './sqlite-schema.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'webrtc-ims-directory-'));
let files = 0;
const freshFile = (): string => path.join(scratch, `directory-${++files}.sqlite`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

directoryContract('SqliteDirectory (:memory:)', () => openSqliteDirectory({ file: ':memory:' }));
directoryContract('SqliteDirectory (file)', () => openSqliteDirectory({ file: freshFile() }), {
  // A trigger, added through a second connection, makes the removal of a domain row fail.
  async openFailing() {
    const file = freshFile();
    const dir = await openSqliteDirectory({ file });
    const raw = new Database(file);
    raw.exec(`CREATE TRIGGER fail_domain_delete BEFORE DELETE ON domain
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    raw.close();
    return dir;
  },
});

async function seededFile(pool: number): Promise<string> {
  const file = freshFile();
  const dir = await openSqliteDirectory({ file });
  await dir.putDomain(domain('ims.lab'));
  for (let n = 1; n <= pool; n++) await dir.putImsCredential(credential(`g${n}`, `guest${n}`));
  await dir.close();
  return file;
}

function leaseInChild(
  file: string,
  name: string,
  tries: number,
): { ready: Promise<void>; go(): Promise<string[]> } {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./test-lease-race.ts', import.meta.url)),
    [file, name, String(tries)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const messages: unknown[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (m) => {
    messages.push(m);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = (index: number): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (messages.length > index) resolve(messages[index]);
        else waiters.push(check);
      };
      child.once('exit', (code) => messages.length <= index && reject(new Error(`child exited ${code}`)));
      check();
    });
  return {
    ready: next(0).then(() => undefined),
    async go() {
      child.send('go');
      const result = (await next(1)) as { got: string[] };
      return result.got;
    },
  };
}

describe('SqliteDirectory on a shared file', () => {
  it('[STORE-directory-lease-exclusive] two directory instances on one file never lease the same identity', async () => {
    const file = await seededFile(4);
    const a = await openSqliteDirectory({ file });
    const b = await openSqliteDirectory({ file });
    const leases = await Promise.all(
      [a, b, a, b, a, b].map((dir, n) => dir.leasePoolIdentity('ims.lab', `flow-${n}`, 60_000, 1_000)),
    );
    const granted = leases.flatMap((l) => (l === undefined ? [] : [l.credential.id]));
    expect(granted.sort()).toEqual(['g1', 'g2', 'g3', 'g4']);
    // Each instance sees the other's leases: releasing through one frees the identity for both.
    const byA = leases[0];
    expect(byA).toBeDefined();
    expect(await b.releaseLease(byA?.credential.id ?? '', 'flow-0')).toBe(true);
    expect((await a.leasePoolIdentity('ims.lab', 'flow-9', 60_000, 1_000))?.credential.id).toBe(
      byA?.credential.id,
    );
    expect((await b.activeLeases('ims.lab', 2_000)).length).toBe(4);
    await a.close();
    await b.close();
  });

  it('[STORE-directory-lease-exclusive] two processes racing on one file never lease the same identity', async () => {
    const file = await seededFile(30);
    const racers = [leaseInChild(file, 'p1', 25), leaseInChild(file, 'p2', 25)];
    await Promise.all(racers.map((r) => r.ready));
    const [one, two] = await Promise.all(racers.map((r) => r.go()));
    const all = [...(one ?? []), ...(two ?? [])];
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    const dir = await openSqliteDirectory({ file });
    expect((await dir.activeLeases('ims.lab', 2_000)).length).toBe(30);
    await dir.close();
  });

  it('[STORE-directory-sqlite-file] keeps its data across reopening, in WAL mode, at the current schema version', async () => {
    const file = freshFile();
    const first = await openSqliteDirectory({ file, now: () => 42 });
    await first.putDomain(domain('ims.lab'));
    await first.putSubscriber(subscriber('s1', 'alice'));
    await first.close();
    const again = await openSqliteDirectory({ file });
    expect((await again.findSubscriber('alice', 'ims.lab'))?.id).toBe('s1');
    await again.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all()).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, n) => ({ version: n + 1, applied_at: 42 })),
    );
    raw.close();
  });

  it('[STORE-directory-sqlite-migration] opens a file of schema version 1 (before SIP mappings), keeps its data and adds SIP mappings', async () => {
    const file = freshFile();
    const raw = new Database(file);
    raw.exec(SQLITE_MIGRATIONS[0] ?? '');
    raw.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL);
      INSERT INTO schema_version VALUES (1, 7);
      INSERT INTO domain VALUES ('ims.lab', NULL, '[]', 1, 600, '["call"]', '["call"]');
      INSERT INTO subscriber VALUES ('s1', 'alice', 'ims.lab', 'user', '[]', NULL, 0);
      INSERT INTO ims_credential VALUES ('c1', 'ims.lab', 's1', 'sip:alice@ims.lab', 'alice@ims.lab',
        '{"kind":"digest","password":"pw"}', NULL);`);
    raw.close();
    const dir = await openSqliteDirectory({ file, now: () => 8 });
    expect((await dir.getImsCredential('c1'))?.impu).toBe('sip:alice@ims.lab');
    await dir.putSipMapping({
      id: 'm1',
      domain: 'ims.lab',
      subscriberId: 's1',
      impu: 'tel:+1555',
      impi: 'a@ims.lab',
    });
    expect((await dir.findSipMapping('tel:+1555'))?.subscriberId).toBe('s1');
    await dir.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all()).toEqual([
      { version: 1, applied_at: 7 },
      { version: 2, applied_at: 8 },
    ]);
    check.close();
    expect(SCHEMA_VERSION).toBe(2);
  });

  it('[STORE-directory-sqlite-file] refuses a file written by a newer schema version', async () => {
    const file = freshFile();
    await (await openSqliteDirectory({ file })).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_version VALUES (?, 0)').run(SCHEMA_VERSION + 1);
    raw.close();
    await expect(openSqliteDirectory({ file })).rejects.toThrow(/newer/);
  });

  it('[STORE-directory-sqlite-file] stores password hashes only, and IMS secrets as given', async () => {
    const file = freshFile();
    const dir = await openSqliteDirectory({ file });
    await dir.putDomain(domain('ims.lab'));
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
    await dir.close();
    const raw = new Database(file, { readonly: true });
    const columns = raw.prepare("SELECT name FROM pragma_table_info('subscriber')").pluck().all();
    expect(columns).toContain('password_hash');
    expect(columns).not.toContain('password');
    const secret = raw.prepare("SELECT secret FROM ims_credential WHERE id = 'c1'").pluck().get();
    expect(JSON.parse(String(secret))).toEqual({ kind: 'digest', password: 'alice-lab-password' });
    raw.close();
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from './directory.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { applySeed, LAB_SEED_FILE, parseSeed, SeedError, seedDirectory } from './seed.ts';
import { openSqliteDirectory } from './sqlite-directory.ts';

/** A cheap scrypt cost: these tests check what is stored, not the cost (password.test.ts does). */
const hash = (pw: string) => hashPassword(pw, { ln: 10, r: 8, p: 1 });
const scratch = mkdtempSync(path.join(tmpdir(), 'webrtc-ims-seed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LAB_CORE = new URL('../conformance/lab-core/subscribers.default.json', import.meta.url);

describe('directory seed', () => {
  const opened: SubscriberDirectory[] = [];
  const open = async () => {
    const dir = await openSqliteDirectory({ file: ':memory:' });
    opened.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of opened.splice(0)) await dir.close();
  });

  it('[STORE-seed-lab] MUST load the lab seed: ims.lab, alice, bob, admin with hashed web passwords, and a guest pool', async () => {
    const dir = await open();
    const report = await seedDirectory(dir, LAB_SEED_FILE, { hash });
    expect(report).toEqual({ added: { domains: 1, subscribers: 3, credentials: 5 }, skipped: 0 });
    expect(await dir.getDomain('ims.lab')).toEqual({
      name: 'ims.lab',
      parent: undefined,
      allowedOrigins: [],
      anonymous: { enabled: true, tokenTtl: 600, capabilities: ['call', 'message'] },
      services: ['call', 'message', 'video'],
    });
    const users = await dir.listSubscribers('ims.lab');
    expect(users.map((s) => [s.username, s.role])).toEqual([
      ['admin', 'admin'],
      ['alice', 'user'],
      ['bob', 'user'],
    ]);
    for (const s of users) {
      expect(s.passwordHash).toMatch(/^\$scrypt\$/);
      expect(s.passwordHash).not.toContain('web-password');
      expect(await verifyPassword(`${s.username}-web-password`, s.passwordHash ?? '')).toBe(true);
    }
    const alice = users.find((s) => s.username === 'alice');
    expect((await dir.imsCredentialsOf(alice?.id ?? '')).map((c) => [c.impu, c.impi, c.secret])).toEqual([
      ['sip:alice@ims.lab', 'alice@ims.lab', { kind: 'digest', password: 'alice-lab-password' }],
    ]);
    expect(await dir.imsCredentialsOf(users[0]?.id ?? '')).toEqual([]);
    expect((await dir.poolOf('ims.lab')).map((c) => c.impu).sort()).toEqual([
      'sip:guest1@ims.lab',
      'sip:guest2@ims.lab',
      'sip:guest3@ims.lab',
    ]);
  });

  it('[STORE-seed-lab] MUST hold only IMS identities the built-in lab core knows, with the same digest passwords', async () => {
    const dir = await open();
    await seedDirectory(dir, LAB_SEED_FILE, { hash });
    const core = JSON.parse(readFileSync(LAB_CORE, 'utf8')) as {
      subscribers: { impi: string; impus: string[]; auth: string[]; password?: string }[];
    };
    const creds = [
      ...(await dir.poolOf('ims.lab')),
      ...(
        await Promise.all((await dir.listSubscribers('ims.lab')).map((s) => dir.imsCredentialsOf(s.id)))
      ).flat(),
    ];
    expect(creds).toHaveLength(5);
    for (const c of creds) {
      const known = core.subscribers.find((s) => s.impi === c.impi);
      expect(known?.impus, c.impi).toContain(c.impu);
      expect(known?.auth, c.impi).toContain('digest-sha256');
      expect(c.secret).toEqual({ kind: 'digest', password: known?.password });
    }
  });

  it('[STORE-seed-idempotent] MUST add nothing when applied again, and MUST NOT overwrite what changed since', async () => {
    const dir = await open();
    await seedDirectory(dir, LAB_SEED_FILE, { hash });
    const alice = await dir.findSubscriber('alice', 'ims.lab');
    if (alice === undefined) throw new Error('alice missing');
    await dir.putSubscriber({ ...alice, disabled: true });
    const again = await seedDirectory(dir, LAB_SEED_FILE, { hash });
    expect(again).toEqual({ added: { domains: 0, subscribers: 0, credentials: 0 }, skipped: 9 });
    expect((await dir.findSubscriber('alice', 'ims.lab'))?.disabled).toBe(true);
    expect((await dir.findSubscriber('alice', 'ims.lab'))?.passwordHash).toBe(alice.passwordHash);
    expect(await dir.poolOf('ims.lab')).toHaveLength(3);
  });

  it.each([
    [{ domains: [{ name: 'IMS.lab' }] }, 'domains[0].name'],
    [{ domains: [{ name: 'a.lab', anonymous: { tokenTtl: -1 } }] }, 'domains[0].anonymous.tokenTtl'],
    [{ domains: [{ name: 'a.lab', services: 'call' }] }, 'domains[0].services'],
    [{ subscribers: [{ username: 'a', domain: 'a.lab', role: 'root' }] }, 'subscribers[0].role'],
    [{ subscribers: [{ username: 'a', domain: 'a.lab', pasword: 'x' }] }, 'subscribers[0].pasword'],
    [
      {
        subscribers: [
          {
            username: 'a',
            domain: 'a.lab',
            ims: [{ impu: 'sip:a@a.lab', impi: 'a', secret: { kind: 'digest' } }],
          },
        ],
      },
      'subscribers[0].ims[0].secret.password',
    ],
    [
      {
        pool: [
          { domain: 'a.lab', impu: 'sip:g@a.lab', impi: 'g', secret: { kind: 'aka', k: '00', opc: '00' } },
        ],
      },
      'pool[0].secret.k',
    ],
    [
      { pool: [{ impu: 'sip:g@a.lab', impi: 'g', secret: { kind: 'digest', password: 'p' } }] },
      'pool[0].domain',
    ],
    [{ domain: [] }, 'domain'],
  ])(
    '[STORE-seed-validation] MUST refuse a bad seed before writing, naming the path of the bad field (%#)',
    async (json, at) => {
      const dir = await open();
      let error: unknown;
      try {
        await applySeed(dir, parseSeed(json), { hash });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SeedError);
      expect((error as SeedError).path).toBe(at);
      expect(await dir.listDomains()).toEqual([]);
    },
  );

  it('[STORE-seed-validation] MUST NOT echo secrets in its errors', () => {
    const json = {
      pool: [{ domain: 'a.lab', impu: 'sip:g@a.lab', impi: 'g', secret: { kind: 'digest', password: 7 } }],
    };
    expect(() => parseSeed(json)).toThrow(SeedError);
    const file = path.join(scratch, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        subscribers: [{ username: 'a', domain: 'a.lab', password: 'hunter2', disabled: 'no' }],
      }),
    );
    return expect(seedDirectory({} as SubscriberDirectory, file)).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof SeedError &&
        e.path === 'subscribers[0].disabled' &&
        !e.message.includes('hunter2') &&
        e.message.includes(file),
    );
  });

  it('[STORE-seed-validation] MUST name the seed entry when it conflicts with what is stored', async () => {
    const dir = await open();
    await seedDirectory(dir, LAB_SEED_FILE, { hash });
    const seed = parseSeed({
      pool: [
        {
          domain: 'ims.lab',
          impu: 'sip:guest9@ims.lab',
          impi: 'guest1@ims.lab',
          secret: { kind: 'digest', password: 'p' },
        },
      ],
    });
    await expect(applySeed(dir, seed, { hash })).rejects.toMatchObject({ path: 'pool[0].impi' });
  });
});

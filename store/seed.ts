/**
 * Seeding a directory from a JSON file (the lab's identities, an operator's first tenant).
 * The whole file is validated before anything is written (`parseSeed`); then each domain,
 * subscriber and IMS credential is added unless it already exists (domain by name, subscriber
 * by username and domain, credential by IMPU), so applying a seed twice changes nothing and
 * never overwrites what an operator changed since. Plain passwords are hashed, never stored.
 */

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ImsCredential, SubscriberDirectory } from './directory.ts';
import { DirectoryError } from './directory-errors.ts';
import { hashPassword } from './password.ts';
import { parseSeed, type Seed, SeedError, type SeedImsCredential } from './seed-parse.ts';

export { parseSeed, type Seed, SeedError } from './seed-parse.ts';

/** The lab seed shipped with the product (alice, bob, admin and a guest pool in ims.lab). */
export const LAB_SEED_FILE = new URL('./seed.lab.json', import.meta.url);

export interface SeedReport {
  readonly added: { readonly domains: number; readonly subscribers: number; readonly credentials: number };
  /** entries left alone because they already existed */
  readonly skipped: number;
}

export interface SeedOptions {
  /** the password hasher (default: hashPassword at the default cost) */
  readonly hash?: (password: string) => Promise<string>;
}

/** Runs a directory write, turning a refusal into a SeedError that names the seed entry. */
async function at<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DirectoryError) throw new SeedError(`${path}.${error.field}`, error.message);
    throw error;
  }
}

function toCredential(c: SeedImsCredential, domain: string, subscriberId: string | undefined): ImsCredential {
  return {
    id: c.id ?? randomUUID(),
    domain,
    subscriberId,
    impu: c.impu,
    impi: c.impi,
    secret: c.secret,
    wssServer: c.wssServer,
  };
}

/** Adds what the seed holds and the directory lacks. */
export async function applySeed(
  dir: SubscriberDirectory,
  seed: Seed,
  options: SeedOptions = {},
): Promise<SeedReport> {
  const hash = options.hash ?? ((pw: string) => hashPassword(pw));
  const added = { domains: 0, subscribers: 0, credentials: 0 };
  let skipped = 0;
  const addCredential = async (
    path: string,
    c: SeedImsCredential,
    domain: string,
    owner: string | undefined,
  ) => {
    // IMPUs are unique across the directory: one already there is this entry, applied before.
    const existing = owner === undefined ? await dir.poolOf(domain) : await dir.imsCredentialsOf(owner);
    if (existing.some((e) => e.impu === c.impu)) return void skipped++;
    await at(path, () => dir.putImsCredential(toCredential(c, domain, owner)));
    added.credentials++;
  };

  for (const [i, d] of seed.domains.entries()) {
    if ((await dir.getDomain(d.name)) !== undefined) skipped++;
    else {
      await at(`domains[${i}]`, () => dir.putDomain(d));
      added.domains++;
    }
  }
  // Hash the passwords of the new subscribers side by side (scrypt runs on libuv's pool).
  const fresh = await Promise.all(
    seed.subscribers.map(async (s) => {
      const found = await dir.findSubscriber(s.username, s.domain);
      if (found !== undefined) return { id: found.id, passwordHash: undefined, isNew: false };
      return {
        id: s.id ?? randomUUID(),
        passwordHash: s.password === undefined ? undefined : await hash(s.password),
        isNew: true,
      };
    }),
  );
  for (const [i, s] of seed.subscribers.entries()) {
    const path = `subscribers[${i}]`;
    const state = fresh[i];
    if (state === undefined) continue;
    if (!state.isNew) skipped++;
    else {
      const { password: _plain, ims: _ims, ...fields } = s;
      await at(path, () => dir.putSubscriber({ ...fields, id: state.id, passwordHash: state.passwordHash }));
      added.subscribers++;
    }
    for (const [j, c] of s.ims.entries()) await addCredential(`${path}.ims[${j}]`, c, s.domain, state.id);
  }
  for (const [i, c] of seed.pool.entries()) await addCredential(`pool[${i}]`, c, c.domain, undefined);
  return { added, skipped };
}

/** Reads, validates and applies a seed file; errors name the file and the path of the bad field. */
export async function seedDirectory(
  dir: SubscriberDirectory,
  file: string | URL,
  options: SeedOptions = {},
): Promise<SeedReport> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`seed ${String(file)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return await applySeed(dir, parseSeed(json), options);
  } catch (error) {
    if (error instanceof SeedError) throw new SeedError(error.path, `${error.detail} (in ${String(file)})`);
    throw error;
  }
}

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAB_SEED_FILE } from '../store/seed.ts';
import { CONFIG_SCHEMA, type EnvVar, loadConfig, readEnvironment } from './config.ts';
import { readmeEnvRows, schemaEnvRows } from './config-readme.ts';

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      ok: true,
      config: {
        httpPort: 8080,
        httpHost: '0.0.0.0',
        logLevel: 'info',
        roles: ['waf', 'wwsf', 'eims-agw', 'ep-cscf', 'xmpp'],
        shutdownTimeoutMs: 10000,
        databaseFile: 'data/webrtc-ims.sqlite',
        directorySeed: fileURLToPath(LAB_SEED_FILE),
        redisUrl: undefined,
        epCscfWorkers: 1,
      },
    });
  });

  it('reads typed values from the environment', () => {
    const result = loadConfig({
      HTTP_PORT: '0',
      HTTP_HOST: '::1',
      LOG_LEVEL: 'debug',
      ROLES: 'ep-cscf, waf',
    });
    expect(result.ok && result.config).toMatchObject({
      httpPort: 0,
      httpHost: '::1',
      logLevel: 'debug',
      roles: ['ep-cscf', 'waf'],
    });
  });

  it.each([
    ['HTTP_PORT', '80a', 'HTTP_PORT must be an integer from 0 to 65535, got "80a"'],
    ['HTTP_PORT', '65536', 'HTTP_PORT must be an integer from 0 to 65535, got "65536"'],
    ['HTTP_PORT', '', 'HTTP_PORT must be an integer from 0 to 65535, got ""'],
    ['HTTP_HOST', 'bad host', 'HTTP_HOST must be an IPv4/IPv6 address or a host name, got "bad host"'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    ['ROLES', 'ep-cscf,pcrf', 'ROLES must be a comma-separated list without repeats of:'],
    ['ROLES', 'waf,waf', 'ROLES must be a comma-separated list without repeats of:'],
    ['EP_CSCF_WORKERS', '0', 'EP_CSCF_WORKERS must be auto or an integer from 1 to 256, got "0"'],
    ['EP_CSCF_WORKERS', 'all', 'EP_CSCF_WORKERS must be auto or an integer from 1 to 256, got "all"'],
    ['SHUTDOWN_TIMEOUT_MS', '0', 'SHUTDOWN_TIMEOUT_MS must be an integer from 1 to 600000, got "0"'],
    ['DATABASE_FILE', '', 'DATABASE_FILE must be a non-empty value, got ""'],
    [
      'DATABASE_URL',
      'mysql://user:pw@db:3306/ims',
      'DATABASE_URL must be a postgres:// or postgresql:// URL, got <redacted>',
    ],
    [
      'REDIS_URL',
      'http://user:pw@cache:6379',
      'REDIS_URL must be a redis:// or rediss:// URL, got <redacted>',
    ],
  ])(
    '[DESIGN-configuration-schema] MUST reject %s=%j with an error naming the key',
    (key, value, message) => {
      const result = loadConfig({ [key]: value });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues).toEqual([{ key, message: expect.stringContaining(message) }]);
    },
  );

  it('reads the directory and Redis settings: `lab` is the shipped seed, empty means none', () => {
    const result = loadConfig({
      DATABASE_FILE: ':memory:',
      DIRECTORY_SEED: '',
      REDIS_URL: 'rediss://:secret@cache.example:6380/2',
      DATABASE_URL: 'postgresql://ims:secret@db.example:5432/ims',
    });
    expect(result.ok && result.config).toMatchObject({
      databaseUrl: 'postgresql://ims:secret@db.example:5432/ims',
      databaseFile: ':memory:',
      directorySeed: undefined,
      redisUrl: 'rediss://:secret@cache.example:6380/2',
    });
    expect(loadConfig({ DIRECTORY_SEED: 'seeds/tenant.json' })).toMatchObject({
      config: { directorySeed: 'seeds/tenant.json' },
    });
  });

  it('[DESIGN-configuration-schema] MUST report every bad key at once', () => {
    const result = loadConfig({ HTTP_PORT: 'x', LOG_LEVEL: 'y' });
    expect(result.ok ? [] : result.issues.map((issue) => issue.key)).toEqual(['HTTP_PORT', 'LOG_LEVEL']);
  });

  it('[DESIGN-configuration-schema] MUST NOT echo the value of a secret variable, and MUST name a missing required one', () => {
    const schema = {
      apiKey: {
        env: 'API_KEY',
        meaning: 'key',
        secret: true,
        parse: () => ({ ok: false, expected: 'valid' }),
      },
      realm: { env: 'REALM', meaning: 'the realm', parse: (raw: string) => ({ ok: true, value: raw }) },
    } as const satisfies Record<string, EnvVar<unknown>>;
    const result = readEnvironment(schema, { API_KEY: 'hunter2' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(result.ok ? [] : result.issues).toEqual([
      { key: 'API_KEY', message: 'API_KEY must be valid, got <redacted>' },
      { key: 'REALM', message: 'REALM is required (the realm)' },
    ]);
  });
});

describe('app/README.md', () => {
  it('[DESIGN-configuration-readme] MUST list exactly the schema variables with their defaults', () => {
    const { rows, meanings } = readmeEnvRows(new URL('./README.md', import.meta.url));
    expect(rows).toEqual(schemaEnvRows(CONFIG_SCHEMA as Record<string, EnvVar<unknown>>));
    for (const [i, m] of meanings.entries()) expect(m, `meaning of ${rows[i]?.[0]}`).not.toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../../app/config.ts';
import { readmeEnvRows, schemaEnvRows } from '../../app/config-readme.ts';
import { PROVISIONING_SCHEMA } from './config.ts';
import { provisioningRoutes } from './provisioning-routes.ts';

describe('provisioning configuration', () => {
  it('[DESIGN-configuration-readme-provisioning] wwsf/provisioning/README.md MUST list exactly the schema variables with their defaults', () => {
    const { rows, meanings } = readmeEnvRows(new URL('./README.md', import.meta.url));
    expect(rows).toEqual(schemaEnvRows(PROVISIONING_SCHEMA));
    for (const m of meanings) expect(m).not.toBe('');
  });

  it('[DESIGN-configuration-errors-provisioning] MUST name each bad variable without echoing a secret, and read good values typed', () => {
    const bad = readEnvironment(PROVISIONING_SCHEMA, {
      PROVISIONING_KEY: 'zz-not-hex',
      PROVISIONING_IV: '0011',
      PROVISIONING_LINK_SECRET: 'too-short-secret',
      PROVISIONING_BASE_URL: 'ftp://files.example',
    });
    expect(bad.ok ? [] : bad.issues.map((i) => i.key)).toEqual([
      'PROVISIONING_KEY',
      'PROVISIONING_IV',
      'PROVISIONING_LINK_SECRET',
      'PROVISIONING_BASE_URL',
    ]);
    expect(JSON.stringify(bad)).not.toMatch(/zz-not-hex|too-short-secret/);
    const good = readEnvironment(PROVISIONING_SCHEMA, {
      PROVISIONING_KEY: '2b7e151628aed2a6abf7158809cf4f3c',
      PROVISIONING_IV: '000102030405060708090a0b0c0d0e0f',
      PROVISIONING_LINK_SECRET: 'x'.repeat(32),
      PROVISIONING_BASE_URL: 'https://wrtc.example.com/',
    });
    expect(good.ok && good.config).toMatchObject({
      sipPhoneKey: Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex'),
      baseUrl: 'https://wrtc.example.com',
    });
    const defaults = readEnvironment(PROVISIONING_SCHEMA, {});
    expect(defaults.ok && defaults.config).toEqual({
      sipPhoneKey: undefined,
      sipPhoneIv: undefined,
      linkSecret: undefined,
      baseUrl: undefined,
    });
  });

  it('[DESIGN-configuration-errors-provisioning] MUST refuse to build the routes without a link secret, or with a key but no IV', () => {
    const base = {
      sipPhoneKey: undefined,
      sipPhoneIv: undefined,
      linkSecret: 'x'.repeat(32),
      baseUrl: undefined,
    };
    const options = {
      directory: {} as never,
      logger: {} as never,
      authorize: async () => ({ mayProvision: () => true }),
    };
    expect(() => provisioningRoutes({ ...options, config: { ...base, linkSecret: undefined } })).toThrow(
      /PROVISIONING_LINK_SECRET/,
    );
    expect(() =>
      provisioningRoutes({ ...options, config: { ...base, sipPhoneKey: Buffer.alloc(16) } }),
    ).toThrow(/PROVISIONING_IV/);
  });
});

import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../app/config.ts';
import { readmeEnvRows, schemaEnvRows } from '../app/config-readme.ts';
import { WAF_SCHEMA } from './config.ts';
import { readWafConfig } from './waf.ts';

describe('WAF configuration', () => {
  it('[DESIGN-configuration-readme-waf] waf/README.md lists exactly the schema variables with their defaults', () => {
    const { rows, meanings } = readmeEnvRows(new URL('./README.md', import.meta.url));
    expect(rows).toEqual(schemaEnvRows(WAF_SCHEMA));
    for (const m of meanings) expect(m).not.toBe('');
  });

  it('[DESIGN-configuration-errors-waf] names the exact variable of a bad value and never echoes a secret', () => {
    const r = readEnvironment(WAF_SCHEMA, {
      WAF_ISSUER: 'https://waf.example.com/oauth?x=1',
      WAF_ACCESS_TOKEN_TTL: '5',
      REDIS_URL: 'http://user:hunter2@redis',
      WAF_UPSTREAM_NEW_USER_CAPS: '+video,*all',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.key)).toEqual([
      'WAF_ISSUER',
      'WAF_ACCESS_TOKEN_TTL',
      'WAF_UPSTREAM_NEW_USER_CAPS',
      'REDIS_URL',
    ]);
    expect(r.issues.map((i) => i.message).join('\n')).not.toContain('hunter2');
  });

  it('[DESIGN-configuration-defaults-waf] starts with every default and requires the upstream client with an upstream issuer', () => {
    const config = readWafConfig({});
    expect(config).toMatchObject({
      issuer: undefined,
      accessTokenTtl: 3600,
      exclusiveLogin: false,
      maxTokensPerUser: 0,
      redisUrl: undefined,
    });
    expect(() => readWafConfig({ WAF_UPSTREAM_ISSUER: 'https://idp.example.com' })).toThrow(
      /WAF_UPSTREAM_CLIENT_ID[\s\S]*WAF_UPSTREAM_CLIENT_SECRET/,
    );
  });
});

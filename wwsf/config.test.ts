import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../app/config.ts';
import { readmeEnvRows, schemaEnvRows } from '../app/config-readme.ts';
import { WWSF_SCHEMA } from './config.ts';

describe('WWSF configuration', () => {
  it('[DESIGN-configuration-readme-wwsf] wwsf/README.md MUST list exactly the schema variables with their defaults', () => {
    const { rows, meanings } = readmeEnvRows(new URL('./README.md', import.meta.url));
    expect(rows).toEqual(schemaEnvRows(WWSF_SCHEMA));
    for (const m of meanings) expect(m).not.toBe('');
  });

  it('[DESIGN-configuration-errors-wwsf] MUST name each bad variable, never echoing the TURN secret', () => {
    const r = readEnvironment(WWSF_SCHEMA, {
      WWSF_WSS_URLS: 'https://not-a-websocket.example',
      TURN_URLS: 'turn:ok.example,http://bad.example',
      TURN_TTL: '5',
      WAF_ISSUER: 'ftp://x',
      TURN_SECRET: 's3cret',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.key)).toEqual(['WWSF_WSS_URLS', 'WAF_ISSUER', 'TURN_URLS', 'TURN_TTL']);
    expect(JSON.stringify(r.issues)).not.toContain('s3cret');
  });

  it('[DESIGN-configuration-defaults-wwsf] MUST start with the eP-CSCF of the same origin, no TURN and a one-hour TURN lifetime', () => {
    const r = readEnvironment(WWSF_SCHEMA, {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      wssUrls: [],
      wsPath: '/sip',
      sipDomain: 'ims.lab',
      wafIssuer: undefined,
      wicClientId: 'wic',
      turnUrls: [],
      turnSecret: undefined,
      turnTtl: 3600,
      discoveryMaxAge: 60,
    });
  });
});

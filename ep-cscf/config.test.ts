import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../app/config.ts';
import { readmeEnvRows, schemaEnvRows } from '../app/config-readme.ts';
import { EPCSCF_SCHEMA } from './config.ts';

describe('eP-CSCF configuration', () => {
  it('[DESIGN-configuration-readme] ep-cscf/README.md lists exactly the schema variables with their defaults', () => {
    const { rows, meanings } = readmeEnvRows(new URL('./README.md', import.meta.url));
    expect(rows).toEqual(schemaEnvRows(EPCSCF_SCHEMA));
    for (const m of meanings) expect(m).not.toBe('');
  });

  it('[DESIGN-configuration-errors] names the exact variable of a bad value', () => {
    const r = readEnvironment(EPCSCF_SCHEMA, { SIP_PORT: '70000', IMS_CORE_URI: 'http://x' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.key)).toEqual(['SIP_PORT', 'IMS_CORE_URI']);
  });

  it('[DESIGN-configuration-defaults] starts with the lab core when IMS_CORE_URI is empty', () => {
    const r = readEnvironment(EPCSCF_SCHEMA, {});
    expect(r.ok && r.config.imsCoreUri).toBe(undefined);
    const c = readEnvironment(EPCSCF_SCHEMA, { IMS_CORE_URI: 'sip:10.0.0.5:5060;transport=tcp' });
    expect(c.ok && c.config.imsCoreUri?.host).toBe('10.0.0.5');
  });
});

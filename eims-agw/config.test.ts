import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../app/config.ts';
import { readmeEnvRows, schemaEnvRows } from '../app/config-readme.ts';
import { EIMS_AGW_SCHEMA } from './config.ts';

describe('eIMS-AGW configuration', () => {
  it('[DESIGN-configuration-readme-eims-agw] eims-agw/README.md lists exactly the schema variables with their defaults', () => {
    const { rows, meanings } = readmeEnvRows(new URL('./README.md', import.meta.url));
    expect(rows).toEqual(schemaEnvRows(EIMS_AGW_SCHEMA));
    for (const m of meanings) expect(m).not.toBe('');
  });

  it('[DESIGN-configuration-errors-eims-agw] names the exact variable of each bad value', () => {
    const r = readEnvironment(EIMS_AGW_SCHEMA, {
      RTPENGINES: '127.0.0.1:2223,bad',
      RTPENGINE_TIMEOUT_MS: '0',
      MEDIA_ICE: 'half',
      MEDIA_IMS_CODECS: 'PCMA,<script>',
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => i.key)).toEqual([
        'RTPENGINES',
        'RTPENGINE_TIMEOUT_MS',
        'MEDIA_ICE',
        'MEDIA_IMS_CODECS',
      ]);
  });

  it('[DESIGN-configuration-defaults-eims-agw] reads RTPENGINES as host:port pairs (IPv6 in brackets) and defaults to none', () => {
    const empty = readEnvironment(EIMS_AGW_SCHEMA, {});
    expect(empty.ok && empty.config.rtpengines).toEqual([]);
    expect(empty.ok && empty.config.imsCodecs).toEqual(['PCMA', 'PCMU', 'G722', 'telephone-event']);
    const list = readEnvironment(EIMS_AGW_SCHEMA, {
      RTPENGINES: ' 10.0.0.5:2223, [2001:db8::1]:22222 ,media.example.net:2223',
    });
    expect(list.ok && list.config.rtpengines).toEqual([
      { host: '10.0.0.5', port: 2223 },
      { host: '2001:db8::1', port: 22222 },
      { host: 'media.example.net', port: 2223 },
    ]);
    for (const bad of ['10.0.0.5', '10.0.0.5:0', '10.0.0.5:70000', '2001:db8::1:2223', 'a:1,a:1'])
      expect([bad, readEnvironment(EIMS_AGW_SCHEMA, { RTPENGINES: bad }).ok]).toEqual([bad, false]);
  });
});

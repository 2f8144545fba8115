import { describe, expect, it } from 'vitest';
import { memoryLogger } from './test-log.ts';

describe('logger', () => {
  it('[DESIGN-logging-redaction] MUST NOT write Authorization, passwords or tokens, at the top level or nested', () => {
    const { logger, lines } = memoryLogger();
    logger.child({ module: 'epcscf.registration' }).info(
      {
        authorization: 'Digest response="abc"',
        password: 'hunter2',
        request: { token: 'eyJ.secret', headers: { Authorization: 'Bearer eyJ.other' }, callId: 'c1' },
        'Proxy-Authorization': 'Digest x',
        oauth: { accessToken: 'at', clientSecret: 'cs' },
      },
      'register',
    );
    const text = JSON.stringify(lines);
    for (const secret of ['abc', 'hunter2', 'eyJ.secret', 'eyJ.other', 'Digest x', '"at"', '"cs"']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      module: 'epcscf.registration',
      msg: 'register',
      authorization: '[Redacted]',
      request: { token: '[Redacted]', headers: { Authorization: '[Redacted]' }, callId: 'c1' },
    });
  });

  it('writes one JSON object per line with level, time, category and message', () => {
    const { logger, lines } = memoryLogger();
    logger.child({ module: 'app' }).warn({ port: 1 }, 'hello');
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, module: 'app', port: 1, msg: 'hello', time: expect.any(String) }),
    ]);
  });
});

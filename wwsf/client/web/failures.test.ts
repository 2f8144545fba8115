import { describe, expect, it } from 'vitest';
import { bearerError, describeFailure } from './failures.ts';

describe('failure → message', () => {
  it('[WIC-errors-microphone] MUST tell the user how to allow a blocked microphone', () => {
    const m = describeFailure({ kind: 'microphone', name: 'NotAllowedError' });
    expect(m.title).toBe('Microphone blocked');
    expect(m.detail).toMatch(/Allow microphone access/);
    expect(m.remedy).toBe('settings');
    expect(describeFailure({ kind: 'microphone', name: 'NotFoundError' }).title).toBe('No microphone');
    expect(
      describeFailure({
        kind: 'call',
        cause: 'User Denied Media Access',
        status: undefined,
        reason: undefined,
      }).title,
    ).toBe('Microphone blocked');
  });

  it('[WIC-errors-registration] MUST state a refused registration with its status and reason', () => {
    const forbidden = describeFailure({
      kind: 'registration',
      status: 403,
      reason: 'Identity barred',
      bearerError: undefined,
    });
    expect(forbidden.title).toBe('Registration refused');
    expect(forbidden.detail).toContain('403 Identity barred');
    const wrong = describeFailure({
      kind: 'registration',
      status: 401,
      reason: 'Unauthorized',
      bearerError: undefined,
    });
    expect(wrong.title).toBe('Sign-in refused');
    expect(wrong.detail).toMatch(/password is wrong/);
    expect(wrong.remedy).toBe('sign-in');
    // IMS credentials named explicitly: the same wording.
    expect(
      describeFailure({
        kind: 'registration',
        account: 'ims',
        status: 401,
        reason: 'Unauthorized',
        bearerError: undefined,
      }).detail,
    ).toMatch(/password is wrong/);
  });

  it('[WIC-errors-registration-token] MUST NOT blame the password when a web or guest sign-in is refused at registration, and say what to do', () => {
    for (const status of [401, 403, 407]) {
      const web = describeFailure({
        kind: 'registration',
        account: 'web',
        status,
        reason: status === 403 ? 'Forbidden' : 'Unauthorized',
        bearerError: undefined,
      });
      expect(web.title).toBe('Registration refused');
      expect(web.detail).not.toMatch(/password/i);
      expect(web.detail).toContain(`The network refused this account’s registration. (${status} `);
      expect(web.detail).toMatch(/Sign in again; if it keeps happening, contact your operator\.$/);
      expect(web.remedy).toBe('sign-in');
    }
    const guest = describeFailure({
      kind: 'registration',
      account: 'guest',
      status: 403,
      reason: 'No pool',
      bearerError: undefined,
    });
    expect(guest.detail).toBe(
      'The network refused guest access. (403 No pool) Try again later; if it keeps happening, contact the site’s operator.',
    );
    // The Bearer error still wins: an expired token is a session to renew.
    expect(
      describeFailure({
        kind: 'registration',
        account: 'web',
        status: 401,
        reason: undefined,
        bearerError: 'invalid_token',
      }).title,
    ).toBe('Session expired');
  });

  it('[WIC-video-camera-denied] MUST tell the user the camera is unavailable and that the call goes on with audio only', () => {
    const blocked = describeFailure({ kind: 'camera', name: 'NotAllowedError' });
    expect(blocked).toMatchObject({ title: 'Camera blocked', severity: 'warning', remedy: 'settings' });
    expect(blocked.detail).toMatch(/audio only/);
    expect(blocked.detail).toMatch(/allow camera access/);
    expect(describeFailure({ kind: 'camera', name: 'NotFoundError' }).title).toBe('No camera');
    expect(describeFailure({ kind: 'camera', name: 'NotReadableError' }).title).toBe('Camera busy');
  });

  it('[RFC6750-3.1-invalid_token] MUST ask for a new sign-in when the eP-CSCF answers Bearer error="invalid_token"', () => {
    const challenge = 'Bearer realm="ims.lab", error="invalid_token", error_description="token expired"';
    expect(bearerError(challenge)).toBe('invalid_token');
    expect(bearerError('Digest realm="ims.lab", nonce="x"')).toBeUndefined();
    const m = describeFailure({
      kind: 'registration',
      status: 401,
      reason: 'Unauthorized',
      bearerError: 'invalid_token',
    });
    expect(m).toMatchObject({ title: 'Session expired', remedy: 'sign-in' });
    expect(describeFailure({ kind: 'token-expired', detail: 'x' })).toMatchObject({ remedy: 'sign-in' });
  });

  it('[WIC-errors-busy] MUST say busy for 486/600 and declined for 603', () => {
    expect(describeFailure({ kind: 'call', cause: 'Busy', status: 486, reason: 'Busy Here' })).toMatchObject({
      title: 'Busy',
      detail: 'The person you called is busy. (486 Busy Here)',
    });
    expect(describeFailure({ kind: 'call', cause: 'Rejected', status: 603, reason: 'Decline' }).title).toBe(
      'Call declined',
    );
  });

  it('[WIC-errors-notfound] MUST say the address does not exist for 404/604', () => {
    const m = describeFailure({ kind: 'call', cause: 'Not Found', status: 404, reason: 'Not Found' });
    expect(m.title).toBe('Not found');
    expect(m.detail).toMatch(/does not exist/);
    expect(describeFailure({ kind: 'message', status: 404, reason: undefined }).detail).toMatch(
      /does not exist/,
    );
  });

  it('[WIC-errors-network] MUST say the connection is lost and that it reconnects, with the attempt', () => {
    expect(describeFailure({ kind: 'network', attempts: 1 }).detail).toBe(
      'Reconnecting to the phone service…',
    );
    expect(describeFailure({ kind: 'network', attempts: 3 }).detail).toMatch(/attempt 3/);
    expect(
      describeFailure({ kind: 'call', cause: 'Connection Error', status: undefined, reason: undefined })
        .title,
    ).toBe('Connection lost');
  });

  it('[WIC-errors-signin] MUST explain a refused or cancelled sign-in', () => {
    expect(describeFailure({ kind: 'sign-in', error: 'access_denied', description: undefined }).title).toBe(
      'Sign-in cancelled',
    );
    expect(
      describeFailure({ kind: 'sign-in', error: 'invalid_grant', description: 'guest access is disabled' })
        .detail,
    ).toContain('guest access is disabled');
    expect(describeFailure({ kind: 'sign-in', error: 'network', description: undefined }).remedy).toBe(
      'retry',
    );
  });
});

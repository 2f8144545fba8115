/**
 * Guest access for click-to-call (TS 33.203 X.4 with anonymous users): the custom token grant
 * `urn:webrtc-ims:grant-type:guest`, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { IMS_AUDIENCE, parseImsClaims } from '../../token/claims.ts';
import { GUEST_GRANT, type RunningWaf, startWaf } from '../../waf/index.ts';
import { exampleDomain, seededDirectory } from './fixtures.ts';
import { introspect, payloadOf, tokenRequest } from './helpers.ts';

let directory: SubscriberDirectory;
let waf: RunningWaf;

beforeAll(async () => {
  directory = await seededDirectory();
  await directory.putDomain(
    exampleDomain({ name: 'other.example', allowedOrigins: ['https://other.example'] }),
  );
  waf = await startWaf({ directory, env: { WAF_ACCESS_TOKEN_TTL: '3600' } });
});
afterAll(async () => {
  await waf?.stop();
  await directory?.close();
});

const guest = (domain: string, origin?: string) =>
  tokenRequest(
    waf.issuer(),
    { grant_type: GUEST_GRANT, client_id: 'wic', domain },
    origin === undefined ? {} : { origin },
  );

describe('WAF guest access', () => {
  it('[TS33203-X.4-guest-token] MUST give a page of an allowed origin a short-lived anonymous pool token limited by the domain anonymous capabilities', async () => {
    const answer = await guest('example.com', 'https://shop.example.com');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'ims' });
    expect(answer.body.refresh_token).toBeUndefined();
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const claims = payloadOf(String(answer.body.access_token));
    expect(claims.exp as number).toBe((claims.iat as number) + 120);
    const parsed = parseImsClaims(claims);
    expect(parsed.ok && parsed.token).toMatchObject({
      role: 'anonymous',
      identity: { kind: 'pool', domain: 'example.com' },
      capabilities: ['call'],
      audience: [IMS_AUDIENCE],
    });
    expect((await introspect(waf, String(answer.body.access_token))).active).toBe(true);
  });

  it('[WAF-guest-refused] MUST refuse guests with a JSON reason when the domain is unknown, its anonymous policy is off, or the origin is foreign or absent', async () => {
    // A foreign origin is stopped by the CORS check of the token endpoint (invalid_request);
    // an origin allowed for another domain, by the guest grant (invalid_grant).
    const cases = [
      [await guest('nowhere.example', 'https://shop.example.com'), 'invalid_grant', 'unknown domain'],
      [await guest('closed.example', 'https://shop.example.com'), 'invalid_grant', 'disabled'],
      [
        await guest('example.com', 'https://other.example'),
        'invalid_grant',
        'not allowed for domain example.com',
      ],
      [await guest('example.com', 'https://evil.example.org'), 'invalid_request', 'not allowed'],
      [await guest('example.com'), 'invalid_grant', 'Origin'],
    ] as const;
    for (const [answer, error, reason] of cases) {
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe(error);
      expect(String(answer.body.error_description)).toContain(reason);
      expect(answer.body.access_token).toBeUndefined();
    }
  });

  it('[WAF-guest-own-origin] MUST accept the product own origin for a domain that lists no allowed origins', async () => {
    await directory.putDomain(exampleDomain({ name: 'open.example', allowedOrigins: [] }));
    expect((await guest('open.example', waf.origin)).status).toBe(200);
    expect((await guest('open.example', 'https://shop.example.com')).status).toBe(400);
  });
});

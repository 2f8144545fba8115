import { describe, expect, it } from 'vitest';
import { clientMetadata, GUEST_GRANT, parseClientsFile, wicRedirectUris } from './clients.ts';

describe('WAF clients', () => {
  it('[WAF-clients-file] MUST read confidential clients from the clients file and refuse a bad entry naming its index and field', () => {
    const good = JSON.stringify([
      {
        client_id: 'wwsf',
        client_secret: '0123456789abcdef',
        grant_types: ['client_credentials'],
        role: 'admin',
        domain: 'Example.COM',
      },
    ]);
    expect(parseClientsFile(good, 'clients.json')).toEqual([
      {
        clientId: 'wwsf',
        clientSecret: '0123456789abcdef',
        clientName: undefined,
        grantTypes: ['client_credentials'],
        redirectUris: [],
        role: 'admin',
        domain: 'example.com',
      },
    ]);
    const base = { client_id: 'x', client_secret: '0123456789abcdef', grant_types: ['client_credentials'] };
    const bad = (entry: unknown) => () => parseClientsFile(JSON.stringify([base, entry]), 'clients.json');
    expect(bad({ ...base, client_secret: 'short' })).toThrow('clients.json[1].client_secret');
    expect(bad({ ...base, grant_types: ['password'] })).toThrow('clients.json[1].grant_types');
    expect(bad({ ...base, grant_types: ['authorization_code'] })).toThrow('clients.json[1].redirect_uris');
    expect(bad({ ...base, client_id: 'wic' })).toThrow('clients.json[1].client_id');
    expect(bad({ ...base, role: 'anonymous' })).toThrow('clients.json[1].role');
    expect(() => parseClientsFile('{', 'clients.json')).toThrow('not JSON');
  });

  it('[WAF-clients-wic] MUST register the wic as a public client with the code, refresh and guest grants and the product origins as redirect URIs', () => {
    const uris = wicRedirectUris([], ['http://localhost:8080', 'http://127.0.0.1:8080']);
    expect(uris).toEqual([
      'http://localhost:8080/',
      'http://localhost:8080/callback',
      'http://127.0.0.1:8080/',
      'http://127.0.0.1:8080/callback',
    ]);
    expect(wicRedirectUris(['https://app.example.com/cb'], ['http://localhost:8080'])).toEqual([
      'https://app.example.com/cb',
    ]);
    const [wic, resource] = clientMetadata({
      wicRedirectUris: uris,
      resourceClientSecret: 's3cret-s3cret-s3cret',
      fileClients: [],
    });
    expect(wic).toMatchObject({
      client_id: 'wic',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', GUEST_GRANT],
    });
    expect(resource).toMatchObject({
      client_id: 'ep-cscf',
      client_secret: 's3cret-s3cret-s3cret',
      grant_types: [],
      response_types: [],
    });
  });
});

/**
 * The WAF's OAuth clients, all static:
 * - `wic`: the web client (public; authorization code with PKCE S256, refresh tokens, and the
 *   guest grant for click-to-call);
 * - `ep-cscf`: the resource servers' confidential client, which may only introspect and revoke;
 * - confidential clients from WAF_CLIENTS_FILE (the WWSF, back-office systems).
 */
import { readFileSync } from 'node:fs';
import type { ClientMetadata } from 'oidc-provider';
import type { TokenRole } from '../token/claims.ts';

export const WIC_CLIENT_ID = 'wic';
export const RESOURCE_CLIENT_ID = 'ep-cscf';
/** The custom grant of guest (click-to-call) tokens. */
export const GUEST_GRANT = 'urn:webrtc-ims:grant-type:guest';

const FILE_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
type FileGrant = (typeof FILE_GRANTS)[number];

/** One entry of WAF_CLIENTS_FILE. */
export interface FileClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientName: string | undefined;
  readonly grantTypes: readonly FileGrant[];
  readonly redirectUris: readonly string[];
  /** `role` claim of its client_credentials tokens; none when absent */
  readonly role: TokenRole | undefined;
  /** puts `ims: {domain, pool: true}` and the domain's services as `caps` in its client_credentials tokens */
  readonly domain: string | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** Parses the clients file text; throws an Error naming the entry and field at fault. */
export function parseClientsFile(text: string, source: string): FileClient[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not JSON`);
  }
  if (!Array.isArray(json)) throw new Error(`${source}: must be a JSON array of clients`);
  return json.map((entry: unknown, i) => {
    const at = (field: string, expected: string) => new Error(`${source}[${i}].${field} must be ${expected}`);
    if (!isRecord(entry)) throw new Error(`${source}[${i}] must be an object`);
    const { client_id, client_secret, client_name, grant_types, redirect_uris, role, domain } = entry;
    if (typeof client_id !== 'string' || !/^[\w.:-]{1,128}$/.test(client_id))
      throw at('client_id', 'a string of letters, digits and . _ : -');
    if (client_id === WIC_CLIENT_ID || client_id === RESOURCE_CLIENT_ID)
      throw at('client_id', `other than the built-in ${WIC_CLIENT_ID} and ${RESOURCE_CLIENT_ID}`);
    if (typeof client_secret !== 'string' || client_secret.length < 16)
      throw at('client_secret', 'a string of at least 16 characters');
    const grants = stringList(grant_types);
    if (
      grants === undefined ||
      grants.length === 0 ||
      !grants.every((g) => (FILE_GRANTS as readonly string[]).includes(g))
    )
      throw at('grant_types', `a non-empty list of ${FILE_GRANTS.join(', ')}`);
    const uris = redirect_uris === undefined ? [] : stringList(redirect_uris);
    if (uris === undefined || !uris.every((u) => URL.canParse(u)))
      throw at('redirect_uris', 'a list of URLs');
    if (grants.includes('authorization_code') && uris.length === 0)
      throw at('redirect_uris', 'non-empty for the authorization_code grant');
    if (client_name !== undefined && typeof client_name !== 'string') throw at('client_name', 'a string');
    if (role !== undefined && role !== 'admin' && role !== 'user') throw at('role', 'admin or user');
    if (domain !== undefined && typeof domain !== 'string') throw at('domain', 'a domain name');
    return {
      clientId: client_id,
      clientSecret: client_secret,
      clientName: client_name,
      grantTypes: grants as FileGrant[],
      redirectUris: uris,
      role,
      domain: domain?.toLowerCase(),
    };
  });
}

export function readClientsFile(file: string): FileClient[] {
  return parseClientsFile(readFileSync(file, 'utf8'), file);
}

/** The redirect URIs of the wic: configured, else each origin + `/` and `/callback`. */
export function wicRedirectUris(configured: readonly string[], origins: readonly string[]): string[] {
  if (configured.length > 0) return [...configured];
  return origins.flatMap((o) => [`${o}/`, `${o}/callback`]);
}

export function clientMetadata(options: {
  readonly wicRedirectUris: readonly string[];
  readonly resourceClientSecret: string;
  readonly fileClients: readonly FileClient[];
}): ClientMetadata[] {
  const wic: ClientMetadata = {
    client_id: WIC_CLIENT_ID,
    client_name: 'WebRTC IMS client',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', GUEST_GRANT],
    response_types: ['code'],
    redirect_uris: [...options.wicRedirectUris],
    post_logout_redirect_uris: [...options.wicRedirectUris],
  };
  const resource: ClientMetadata = {
    client_id: RESOURCE_CLIENT_ID,
    client_name: 'IMS resource servers (eP-CSCF, SAPI)',
    client_secret: options.resourceClientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  };
  const files = options.fileClients.map(
    (c): ClientMetadata => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [...c.grantTypes],
      response_types: c.grantTypes.includes('authorization_code') ? ['code'] : [],
      redirect_uris: [...c.redirectUris],
      ...(c.clientName === undefined ? {} : { client_name: c.clientName }),
    }),
  );
  return [wic, resource, ...files];
}

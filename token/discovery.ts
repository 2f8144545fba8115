/**
 * The WAF's metadata as a resource server needs it: where its JWKS and its introspection endpoint
 * are (OpenID Connect Discovery 1.0 §4, RFC 8414 §3). Fetched once per issuer and kept; a failed
 * fetch is not kept, so the next request tries again (after `retryAfterMs`).
 */

export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly introspectionEndpoint: string | undefined;
}

export type MetadataResult = { ok: true; metadata: IssuerMetadata } | { ok: false; reason: string };

export interface DiscoveryOptions {
  /** ms before a failed fetch may be tried again */
  readonly retryAfterMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery §4.1: appended to the issuer path). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export class IssuerDiscovery {
  private readonly cache = new Map<string, Promise<MetadataResult>>();
  private readonly failedAt = new Map<string, number>();
  private readonly retryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(o: DiscoveryOptions = {}) {
    this.retryAfterMs = o.retryAfterMs ?? 5000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.now = o.now ?? Date.now;
  }

  metadata(issuer: string): Promise<MetadataResult> {
    const cached = this.cache.get(issuer);
    if (cached !== undefined) return cached;
    const failed = this.failedAt.get(issuer);
    if (failed !== undefined && this.now() - failed < this.retryAfterMs)
      return Promise.resolve({ ok: false, reason: 'issuer metadata unavailable (retrying shortly)' });
    const p = this.fetch(issuer).then((r) => {
      if (!r.ok) {
        this.cache.delete(issuer);
        this.failedAt.set(issuer, this.now());
      }
      return r;
    });
    this.cache.set(issuer, p);
    return p;
  }

  private async fetch(issuer: string): Promise<MetadataResult> {
    let body: unknown;
    try {
      const res = await fetch(discoveryUrl(issuer), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (res.status !== 200) return { ok: false, reason: `discovery answered HTTP ${res.status}` };
      body = await res.json();
    } catch (err) {
      return { ok: false, reason: `discovery failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!isRecord(body)) return { ok: false, reason: 'discovery document is not a JSON object' };
    // OpenID Connect Discovery §4.3: the issuer in the document must be the one asked for.
    if (body.issuer !== issuer) return { ok: false, reason: 'discovery document names another issuer' };
    const jwks = body.jwks_uri;
    const introspection = body.introspection_endpoint;
    return {
      ok: true,
      metadata: {
        issuer,
        jwksUri: typeof jwks === 'string' ? jwks : undefined,
        introspectionEndpoint: typeof introspection === 'string' ? introspection : undefined,
      },
    };
  }
}

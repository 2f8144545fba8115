/**
 * The WAF as seen by the resource servers of the same process (the eP-CSCF, the SAPI): where
 * its tokens come from and how a resource server authenticates to its introspection and
 * revocation endpoints. A role running alone reads the same facts from its environment
 * (WAF_ISSUER, INTROSPECTION_CLIENT_ID, INTROSPECTION_CLIENT_SECRET).
 */
export interface TokenAuthority {
  /** the issuer URL (known once the HTTP server listens; read it when a request comes) */
  issuer(): string;
  /** a confidential client the WAF registered for resource servers (RFC 7662 §2.1 authentication) */
  readonly resourceClient: { readonly id: string; readonly secret: string };
}

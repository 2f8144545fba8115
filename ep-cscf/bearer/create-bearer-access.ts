import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../../sip/clock/clock.ts';
import type { TokenAuthority } from '../../token/authority.ts';
import { IMS_AUDIENCE } from '../../token/claims.ts';
import { createTokenValidator, type TokenValidationMode } from '../../token/validator.ts';
import { BearerAccess } from './bearer-access.ts';
import { createBearerMetrics } from './bearer-metrics.ts';
import { TokenBindings } from './token-bindings.ts';

/** The configuration keys of bearer access (EPCSCF_SCHEMA). */
export interface BearerConfig {
  readonly wafIssuer: string;
  readonly tokenValidation: TokenValidationMode;
  readonly jwksUri: string;
  readonly introspectionClientId: string;
  readonly introspectionClientSecret: string;
  readonly tokenCheckInterval: number;
  readonly bearerRequired: boolean;
  readonly homeDomain: string;
}

/**
 * Bearer access from the configuration: WAF_ISSUER, else the WAF of this process; without
 * either, bearer access is off (undefined) and REGISTER works with IMS credentials only.
 * Introspection credentials: INTROSPECTION_CLIENT_ID/SECRET, else the in-process WAF's
 * resource-server client; TOKEN_VALIDATION=introspection without them is a configuration error.
 */
export function createBearerAccess(o: {
  config: BearerConfig;
  authority: TokenAuthority | undefined;
  registry: Registry;
  logger: Logger;
  clock?: Clock;
  now?: () => number;
}): BearerAccess | undefined {
  const c = o.config;
  const authority = o.authority;
  const issuer =
    c.wafIssuer !== '' ? () => c.wafIssuer : authority !== undefined ? () => authority.issuer() : undefined;
  if (issuer === undefined) {
    if (c.bearerRequired)
      throw new Error('BEARER_REQUIRED=true needs WAF_ISSUER (or the WAF role in this process)');
    return undefined;
  }
  const client =
    c.introspectionClientId !== ''
      ? { clientId: c.introspectionClientId, clientSecret: c.introspectionClientSecret }
      : authority !== undefined
        ? { clientId: authority.resourceClient.id, clientSecret: authority.resourceClient.secret }
        : undefined;
  if (c.tokenValidation === 'introspection' && client === undefined)
    throw new Error(
      'TOKEN_VALIDATION=introspection needs INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET (or the WAF role in this process)',
    );
  const now = o.now ?? Date.now;
  const logger = o.logger.child({ module: 'epcscf.bearer' });
  const validator = createTokenValidator({
    issuer,
    audience: IMS_AUDIENCE,
    mode: c.tokenValidation,
    ...(c.jwksUri === '' ? {} : { jwksUri: c.jwksUri }),
    ...(client === undefined ? {} : { introspection: client }),
    clock: { now },
    logger,
  });
  const bindings = new TokenBindings({
    clock: o.clock ?? systemClock,
    now,
    logger,
    checkActive: validator.checkActive,
    checkIntervalMs: c.tokenCheckInterval * 1000,
  });
  logger.info(
    {
      mode: c.tokenValidation,
      required: c.bearerRequired,
      revocationChecks: validator.checkActive !== undefined,
    },
    'bearer-token access on (RFC 8898)',
  );
  return new BearerAccess({
    validator,
    bindings,
    metrics: createBearerMetrics(o.registry),
    required: c.bearerRequired,
    issuer,
    realm: c.homeDomain,
    now,
  });
}

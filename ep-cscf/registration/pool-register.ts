import type { Registry } from 'prom-client';
import type { Clock } from '../../sip/clock/clock.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import type { EpCscfContext } from '../context.ts';
import { createPoolMetrics } from '../pool/pool-metrics.ts';
import { PoolRegistrar } from '../pool/pool-registrar.ts';
import { localResponse } from '../reply.ts';

export interface AttachPoolOptions {
  readonly directory: SubscriberDirectory;
  /** where its metrics go: the role's registry (the app's /metrics) */
  readonly registry: Registry;
  readonly clock?: Clock;
  /** how long a lease outlives its registration (ms, default 32 s) */
  readonly marginMs?: number;
}

/**
 * Gives an eP-CSCF its pool registrar (TS 33.203 Annex X.4); `startEpCscf` calls it when it has
 * a directory and keeps the registrar on its context (`ctx.pool`), tells it of closed flows, and
 * stops it (deregistering every pool identity, releasing the leases) before its transports go.
 * With bearer access, the registrar listens to the ends of the tokens its registrations rest on.
 */
export function attachPoolRegistrar(ctx: EpCscfContext, o: AttachPoolOptions): PoolRegistrar {
  const registrar = new PoolRegistrar(ctx, {
    directory: o.directory,
    metrics: createPoolMetrics(o.registry),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.marginMs === undefined ? {} : { marginMs: o.marginMs }),
  });
  // Token ends (expiry, RFC 7662 revocation) come from the bearer module's token bindings.
  ctx.bearer?.bindings.onTokenEnded((b, reason) =>
    b.token.identity.kind === 'pool'
      ? registrar.tokenEnded(
          { tokenId: b.token.tokenId },
          reason === 'expired' ? 'token-expired' : 'token-revoked',
        )
      : undefined,
  );
  return registrar;
}

/**
 * Scenario 3 of TS 33.203 Annex X.4 (TS 24.371 §6): a REGISTER whose bearer token (already
 * validated, `token.identity.kind === 'pool'`) asks for an identity from the domain's pool. The
 * eP-CSCF leases one, registers it at the core itself and answers the client with the core's
 * outcome; the 200's P-Associated-URI names the leased identity first. Without a directory
 * the eP-CSCF cannot lend identities: 403.
 */
export function registerFromPool(
  ctx: EpCscfContext,
  txn: ServerTransaction,
  rm: ReceivedMessage,
  token: ImsAccessToken,
): void {
  const registrar = ctx.pool;
  if (registrar === undefined) {
    txn.respond(localResponse(txn.request, 403, 'Forbidden (pool registration not available)'));
    return;
  }
  registrar.receiveRegister(txn, rm, token);
}

import { Registry } from 'prom-client';
import type { Clock } from '../../sip/clock/clock.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import type { EpCscfContext } from '../context.ts';
import { createPoolMetrics } from '../pool/pool-metrics.ts';
import { PoolRegistrar } from '../pool/pool-registrar.ts';
import { localResponse } from '../reply.ts';

/** The pool registrar of each running eP-CSCF (its context), created by attachPoolRegistrar. */
const registrars = new WeakMap<EpCscfContext, PoolRegistrar>();

export interface AttachPoolOptions {
  readonly directory: SubscriberDirectory;
  /** where its metrics go: the role's registry (the app's /metrics) */
  readonly registry: Registry;
  readonly clock?: Clock;
  /** how long a lease outlives its registration (ms, default 32 s) */
  readonly marginMs?: number;
}

/**
 * Gives an eP-CSCF its pool registrar (TS 33.203 Annex X.4): called once by the role after
 * `startEpCscf`, before traffic. The registrar learns of closed flows through the connection
 * table (it chains the `onRemove` the eP-CSCF set); `stop()` on the returned registrar
 * deregisters every pool identity and releases the leases (call it before the eP-CSCF stops).
 * With bearer access, it listens to the ends of the tokens its registrations rest on.
 */
export function attachPoolRegistrar(ctx: EpCscfContext, o: AttachPoolOptions): PoolRegistrar {
  const existing = registrars.get(ctx);
  if (existing !== undefined) return existing;
  const registrar = new PoolRegistrar(ctx, {
    directory: o.directory,
    metrics: createPoolMetrics(o.registry),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.marginMs === undefined ? {} : { marginMs: o.marginMs }),
  });
  registrars.set(ctx, registrar);
  const table = ctx.transports.connections;
  const before = table.onRemove;
  table.onRemove = (c) => {
    before?.(c);
    if (c.source.protocol !== 'ws' && c.source.protocol !== 'wss') return;
    void registrar
      .flowClosed(c.id)
      .catch((err: unknown) => ctx.logger.error({ err, flow: c.id }, 'pool release on flow close failed'));
  };
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

/** The pool registrar of this eP-CSCF, if it has one (for token-ended callbacks and stop). */
export function poolRegistrarOf(ctx: EpCscfContext): PoolRegistrar | undefined {
  return registrars.get(ctx);
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
  let registrar = registrars.get(ctx);
  if (registrar === undefined && ctx.directory !== undefined) {
    // Not attached by the role: works, but its metrics are not on the app's registry.
    ctx.logger.warn('pool registrar attached on first use: its metrics are not exported');
    registrar = attachPoolRegistrar(ctx, { directory: ctx.directory, registry: new Registry() });
  }
  if (registrar === undefined) {
    txn.respond(localResponse(txn.request, 403, 'Forbidden (pool registration not available)'));
    return;
  }
  registrar.receiveRegister(txn, rm, token);
}

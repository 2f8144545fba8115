/** The WAF's Prometheus metrics, registered on the registry it is given (no prom-client global). */
import { Counter, Gauge, type Registry } from 'prom-client';

export type LoginOutcome =
  | 'success'
  | 'failure'
  | 'throttled'
  | 'disabled'
  | 'federated'
  | 'federation_refused';

export interface WafMetrics {
  readonly tokensIssued: Counter<'grant_type'>;
  readonly introspections: Counter<'format' | 'active'>;
  readonly revocations: Counter<'format'>;
  readonly logins: Counter<'outcome'>;
  readonly grantsRevoked: Counter<'reason'>;
}

/** `alarm` is read at every scrape: 1 while failed logins in the window exceed the alarm count. */
export function createWafMetrics(registry: Registry, alarm: () => Promise<boolean>): WafMetrics {
  const registers = [registry];
  new Gauge({
    name: 'webrtc_ims_waf_login_alarm',
    help: '1 while failed logins (all accounts) within WAF_LOGIN_WINDOW exceed WAF_LOGIN_ALARM_FAILURES',
    registers,
    async collect() {
      // With REDIS_URL, the failures of every WAF instance count (waf/interaction/throttle.ts).
      this.set((await alarm().catch(() => false)) ? 1 : 0);
    },
  });
  return {
    tokensIssued: new Counter({
      name: 'webrtc_ims_waf_tokens_issued_total',
      help: 'Successful token endpoint responses, by grant type',
      labelNames: ['grant_type'],
      registers,
    }),
    introspections: new Counter({
      name: 'webrtc_ims_waf_introspections_total',
      help: 'Introspection requests answered (RFC 7662), by token format (jwt, opaque) and result (active: true, false, unknown for opaque)',
      labelNames: ['format', 'active'],
      registers,
    }),
    revocations: new Counter({
      name: 'webrtc_ims_waf_revocations_total',
      help: 'Revocation requests answered (RFC 7009), by token format',
      labelNames: ['format'],
      registers,
    }),
    logins: new Counter({
      name: 'webrtc_ims_waf_logins_total',
      help: 'Login attempts by outcome: success, failure, throttled, disabled, federated, federation_refused',
      labelNames: ['outcome'],
      registers,
    }),
    grantsRevoked: new Counter({
      name: 'webrtc_ims_waf_grants_revoked_total',
      help: 'Grants (with their tokens) revoked by policy: exclusive login or the per-user cap',
      labelNames: ['reason'],
      registers,
    }),
  };
}

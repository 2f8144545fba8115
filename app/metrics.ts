/** The process metrics registry: prom-client default metrics plus the role gauge. */

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { RoleName } from './role-name.ts';

export interface AppMetrics {
  readonly registry: Registry;
}

/**
 * A fresh registry per app instance (no prom-client global), so tests can run several.
 * webrtc_ims_role_up{role} is read from `isUp` at every scrape, so it cannot drift.
 */
export function createMetrics(roles: readonly RoleName[], isUp: (role: RoleName) => boolean): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'webrtc_ims_role_up',
    help: '1 while the role runs in this process; 0 when disabled, not built yet, failed or stopped',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      for (const role of roles) this.set({ role }, isUp(role) ? 1 : 0);
    },
  });
  return { registry };
}

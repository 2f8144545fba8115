/**
 * The lab IMS core (conformance/lab-core) as the eP-CSCF tests start it: on a free loopback
 * port of the test's allocator (UDP and TCP on the same port), trusting loopback, where the
 * eP-CSCF sends from, for `integrity-protected="auth-done"` and reg-event subscriptions; and its
 * subscriber list written in the test as the subscribers file would hold it.
 */
import type { PortAllocator } from '../harness/ports.ts';
import {
  type LabCore,
  type LabCoreOptions,
  parseSubscribers,
  type SubscriberDirectory,
  startLabCore,
} from '../lab-core/index.ts';

export type LoopbackLabCoreOptions = Omit<LabCoreOptions, 'host' | 'port' | 'trusted'>;

export async function startLoopbackLabCore(
  ports: PortAllocator,
  o: LoopbackLabCoreOptions,
): Promise<LabCore> {
  return startLabCore({ ...o, host: ports.host, port: await ports.port('both'), trusted: [ports.host] });
}

/** The entries of a subscribers file (lab-core/subscribers.ts); throws on the first bad one. */
export function labSubscribers(subscribers: readonly unknown[]): SubscriberDirectory {
  const r = parseSubscribers({ subscribers });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.subscribers;
}

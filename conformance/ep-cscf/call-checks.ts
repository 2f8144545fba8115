/**
 * Shared assertions of the call tests: which flow an eP-CSCF Record-Route names, which flow a
 * user registered on, what the core received from the eP-CSCF, and waiting for the call table
 * to empty (legs are released after the response that ends them has been relayed).
 */
import { expect } from 'vitest';
import type { SipRequest } from '../../sip/index.ts';
import type { CoreTap } from './core-tap.ts';
import type { EpCscfPeer } from './ep-cscf-peer.ts';
import { eventually } from './eventually.ts';

/**
 * The connection a Record-Route/Route value of this eP-CSCF names through its flow token
 * (`<sip:TOKEN@mwhost:mwport;lr>`), or undefined when it is not one of ours.
 */
export function flowOf(ep: EpCscfPeer, route: string | undefined): string | undefined {
  const m = /<sips?:([^@>]+)@([^:;>]+):(\d+)[;>]/.exec(route ?? '');
  if (m === null || m[2] !== ep.host || Number(m[3]) !== ep.mwPort) return undefined;
  return ep.running.context.tokens.decode(m[1] ?? '');
}

/** The connection (flow) over which `impu` registered. */
export async function flowOfUser(ep: EpCscfPeer, impu: string): Promise<string> {
  const bindings = await ep.store.forAor(impu);
  const flow = bindings[0]?.connectionId;
  if (flow === undefined) throw new Error(`${impu} is not registered at the eP-CSCF`);
  return flow;
}

/** The requests of this call the eP-CSCF sent to the core (through the tap), oldest first. */
export function atCore(tap: CoreTap, method: string, callId: string): SipRequest[] {
  return tap.requests.filter((r) => r.method === method && r.callId === callId);
}

/** Waits for the request to reach the core (the tap relays asynchronously) and returns it. */
export async function firstAtCore(tap: CoreTap, method: string, callId: string): Promise<SipRequest> {
  const found = await eventually(
    () => atCore(tap, method, callId),
    (r) => r.length > 0,
    5_000,
  );
  const first = found[0];
  if (first === undefined) throw new Error(`no ${method} of call ${callId} reached the core`);
  return first;
}

/** The eP-CSCF's call table empties (both legs of every call released). */
export async function expectNoCalls(ep: EpCscfPeer): Promise<void> {
  const size = await eventually(
    () => ep.running.context.calls.table.size,
    (n) => n === 0,
    5_000,
  );
  expect(size, 'calls left in the eP-CSCF call table').toBe(0);
}

/** The URI inside a name-addr (`<sip:x@y;lr>` → `sip:x@y;lr`). */
export function uriOf(nameAddr: string | undefined): string {
  return /<([^>]*)>/.exec(nameAddr ?? '')?.[1] ?? nameAddr ?? '';
}

/**
 * Assertions shared by the registration tests: what a Path of the eP-CSCF must look like
 * (RFC 3327 §5.1, RFC 5626 §5.1-5.2), what the REGISTER must carry when it reaches the core
 * (TS 24.229 §5.2.2.1), and what a relayed response must look like (RFC 3261 §16.7).
 */
import { expect } from 'vitest';
import type { SipMessage, SipRequest, SipResponse } from '../../sip/index.ts';
import type { EpCscfPeer } from './ep-cscf-peer.ts';
import { pathParams, pathUser } from './location.ts';

/**
 * A Path value names the eP-CSCF's Mw address, carries `lr`, and its user part is a flow token
 * that decodes to an open WebSocket connection; `ob` exactly when the registration is outbound.
 * Returns the connection id.
 */
export function expectFlowPath(ep: EpCscfPeer, path: string | undefined, o: { ob: boolean }): string {
  expect(path, 'a Path is stored/sent').toBeDefined();
  const value = path ?? '';
  expect(value).toMatch(new RegExp(`^<sip:[^@]+@${escapeRegExp(ep.host)}:${ep.mwPort}[;>]`));
  const params = pathParams(value);
  expect(params).toContain('lr');
  if (o.ob) expect(params).toContain('ob');
  else expect(params).not.toContain('ob');
  const token = pathUser(value) ?? '';
  const connectionId = ep.running.context.tokens.decode(token);
  expect(connectionId, `the Path user part ${token} is one of the eP-CSCF's flow tokens`).toBeDefined();
  const conn = ep.running.context.transports.connections.get(connectionId ?? '');
  expect(conn?.isOpen).toBe(true);
  expect(conn?.source.protocol).toMatch(/^wss?$/);
  return connectionId ?? '';
}

/** Every REGISTER that reached the core carries the edits of TS 24.229 §5.2.2.1. */
export function expectCoreRegister(
  ep: EpCscfPeer,
  registers: readonly SipRequest[],
  o: { visited: string; ob: boolean },
): void {
  const icids = new Set<string>();
  const paths = new Set<string>();
  for (const r of registers) {
    const h = r.headers;
    const path = h.values('path')[0];
    expectFlowPath(ep, path, { ob: o.ob });
    paths.add(path ?? '');
    expect(tokens(r, 'supported')).toContain('path');
    expect(tokens(r, 'require')).toContain('path');
    expect(h.values('p-visited-network-id')).toEqual([o.visited]);
    const icid = /icid-value="?([^;"\s]+)/i.exec(h.get('p-charging-vector') ?? '')?.[1];
    expect(icid, 'P-Charging-Vector has an icid-value').toBeDefined();
    icids.add(icid ?? '');
    for (const name of ['security-client', 'security-verify']) expect(h.has(name), name).toBe(false);
    expect(tokens(r, 'require')).not.toContain('sec-agree');
    expect(tokens(r, 'proxy-require')).not.toContain('sec-agree');
    // Our Via on top, toward the core; the client's below it.
    const vias = r.vias;
    expect(vias[0]?.host).toBe(ep.host);
    expect(vias[0]?.port).toBe(ep.mwPort);
    expect(vias[1]?.transport).toMatch(/^WSS?$/);
  }
  expect(icids.size, 'each REGISTER has its own icid').toBe(registers.length);
  expect(paths.size, 'one flow, one Path').toBe(1);
}

/** RFC 3261 §16.7 step 3: a relayed response carries the client's Via only. */
export function expectOneVia(response: SipResponse, request: SipMessage | undefined): void {
  const vias = response.vias;
  expect(vias.map((v) => `${v.transport} ${v.host}`)).toHaveLength(1);
  if (request !== undefined)
    expect(vias[0]?.params.value('branch')).toBe(request.vias[0]?.params.value('branch'));
}

function tokens(m: SipMessage, header: string): string[] {
  return m.headers.values(header).flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase()));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

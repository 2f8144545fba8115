/**
 * Requests from the IMS core reach the right WebSocket (RFC 5626 §5.3, TS 24.229 §5.2.6.4):
 * Kamailio routes a MESSAGE to a registered user through the Path the eP-CSCF put in the
 * REGISTER; the flow token in that Path names the user's connection. When that connection is
 * gone, the eP-CSCF answers 430 (Flow Failed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { eventually } from './eventually.ts';
import { createJsSipClient, type JsSipClient } from './jssip-client.ts';
import { readLocation } from './location.ts';
import { ALICE, BOB, DOMAIN, startTestBed, type TestBed } from './test-bed.ts';
import { sendRequestUdp, type UdpRequest } from './udp-sip-client.ts';
import { installWebSocketTap } from './wire-tap.ts';

function messageTo(
  user: string,
  text: string,
  extra: UdpRequest['headers'] = [],
  uri = `sip:${user}@${DOMAIN}`,
): UdpRequest {
  return {
    method: 'MESSAGE',
    uri,
    from: `<sip:carol@${DOMAIN}>`,
    to: `<sip:${user}@${DOMAIN}>`,
    headers: extra,
    contentType: 'text/plain',
    body: text,
  };
}

describe('eP-CSCF terminating requests: from the core to the right WebSocket', () => {
  const wire = installWebSocketTap();
  const peers: Array<{ report(): string }> = [];
  let ports: PortAllocator;
  let bed: TestBed;
  let alice: JsSipClient;
  let bob: JsSipClient;
  printPeerOutputOnFailure(() => peers);

  const core = (): { host: string; port: number } => ({ host: bed.core.host, port: bed.core.sipPort });
  const connectionOf = (user: string): number | undefined =>
    wire.frames.find(
      (f) =>
        f.direction === 'sent' && f.message.kind === 'request' && f.message.from.uriText.includes(`${user}@`),
    )?.connection;
  const pathOf = async (user: string): Promise<{ path: string; address: string }> => {
    const c = (await readLocation(bed.core)).find((l) => l.aor === user);
    return { path: c?.path ?? '', address: c?.address ?? '' };
  };

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startTestBed({ ports, onPeer: (p) => peers.push(p) });
    const client = (u: { user: string; password: string }): JsSipClient =>
      createJsSipClient({ wsUrl: bed.ep.wsUrl, user: u.user, domain: DOMAIN, password: u.password, wire });
    alice = client(ALICE);
    bob = client(BOB);
    await alice.start();
    await bob.start();
  });
  afterAll(async () => {
    await Promise.all([alice?.stop(), bob?.stop()]);
    await bed?.stop();
    await ports?.close();
  });

  it("[RFC5626-5.3-flow-token-routing] MUST deliver a request the core routes through a user's Path on that user's WebSocket and no other", async () => {
    const toAlice = await sendRequestUdp(core(), messageTo(ALICE.user, 'hello alice'));
    expect(toAlice.final?.status).toBe(200);
    expect(alice.messages.map((m) => m.request.body)).toEqual(['hello alice']);
    expect(bob.messages).toEqual([]);

    const toBob = await sendRequestUdp(core(), messageTo(BOB.user, 'hello bob'));
    expect(toBob.final?.status).toBe(200);
    expect(bob.messages.map((m) => m.request.body)).toEqual(['hello bob']);
    expect(alice.messages).toHaveLength(1);

    // On the wire: each MESSAGE arrived on its user's own connection, with the eP-CSCF's
    // Route (the Path) consumed.
    const received = wire.requests('MESSAGE', 'received');
    expect(received.map((f) => f.connection)).toEqual([connectionOf(ALICE.user), connectionOf(BOB.user)]);
    expect(connectionOf(ALICE.user)).not.toBe(connectionOf(BOB.user));
    for (const f of received) expect(f.message.headers.values('route')).toEqual([]);
  });

  it('[RFC5626-5.3-430] MUST answer 430 (Flow Failed) to a request for a flow whose WebSocket is gone, and keep serving the other flows', async () => {
    const { path, address } = await pathOf(ALICE.user);
    const token = /<sip:([^@]+)@/.exec(path)?.[1] ?? '';
    const flow = bed.ep.running.context.tokens.decode(token) ?? '';
    expect(flow).not.toBe('');
    alice.dropConnection();
    await eventually(
      () => bed.ep.running.context.transports.connections.get(flow)?.isOpen ?? false,
      (open) => !open,
    );

    // What the eP-CSCF itself answers: the core's request, sent to the Mw port along the Path.
    const direct = await sendRequestUdp(
      { host: bed.ep.host, port: bed.ep.mwPort },
      messageTo(ALICE.user, 'are you there?', [['Route', path.replace(/;ob(?=[;>])/, '')]], address),
    );
    expect(direct.final?.status).toBe(430);

    // Through the core: Kamailio routes along the stored Path and relays the eP-CSCF's answer.
    const viaCore = await sendRequestUdp(core(), messageTo(ALICE.user, 'are you there?'));
    expect(viaCore.final?.status).toBe(430);
    expect(alice.messages).toHaveLength(1);

    // Bob's flow is untouched.
    const toBob = await sendRequestUdp(core(), messageTo(BOB.user, 'still here?'));
    expect(toBob.final?.status).toBe(200);
    expect(bob.messages.map((m) => m.request.body)).toEqual(['hello bob', 'still here?']);
  });

  it('[RFC5626-5.3-tampered-403] SHOULD answer 403 (Forbidden) to a request whose flow token does not validate, and deliver nothing', async () => {
    const { path, address } = await pathOf(BOB.user);
    const token = /<sip:([^@]+)@/.exec(path)?.[1] ?? '';
    // Flip one character of the MAC part: still base64url, no longer ours.
    const first = token[0] === 'A' ? 'B' : 'A';
    const forged = path.replace(token, `${first}${token.slice(1)}`).replace(/;ob(?=[;>])/, '');
    const before = bob.messages.length;
    const r = await sendRequestUdp(
      { host: bed.ep.host, port: bed.ep.mwPort },
      messageTo(BOB.user, 'forged', [['Route', forged]], address),
    );
    expect(r.final?.status).toBe(403);
    expect(bob.messages).toHaveLength(before);
  });
});

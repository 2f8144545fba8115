import { describe, expect, it } from 'vitest';
import type { TransportProtocol } from '../transport/types.ts';
import { createProxyNet, type ProxyNet, QUIET, run, statuses, uacRequest } from './proxy-harness.ts';

async function expectQuiet(net: ProxyNet): Promise<void> {
  await run(net, QUIET, 1000);
  for (const layer of net.layers()) expect(layer.size).toBe(0);
  expect(net.clock.pending).toBe(0);
}

describe.each(['udp', 'tcp'] as TransportProtocol[])('a finished forwarding context over %s', (protocol) => {
  it('[DESIGN-speed-txn_release_proxy] MUST release its targets once a non-INVITE was answered upstream and every branch ended, and end a branch timing out after that without a response', async () => {
    const net = createProxyNet(protocol, 2);
    const [a, b] = net.uas as [(typeof net.uas)[0], (typeof net.uas)[0]];
    a.script = (txn, _req, u) => u.answer(txn, 200);
    // the second UAS answers too late: its branch times out (Timer F) after the 200 went upstream
    b.script = (txn, _req, u) => {
      net.clock.setTimer(64 * 500 + 2000, () => u.answer(txn, 200));
    };
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 1000);
    expect(statuses(net.uac)).toEqual(['200 MESSAGE']);
    const ctx = net.proxy.core.created[0]!;
    expect(ctx.done).toBe(true);
    expect(ctx.branches[1]!.ended).toBe(false);
    await run(net, 64 * 500 + 1000, 1000);
    expect(ctx.branches.every((b) => b.ended)).toBe(true);
    await run(net, 0);
    expect(() => ctx.branches[0]!.target).toThrow(/released/);
    expect(statuses(net.uac)).toEqual(['200 MESSAGE']);
    await expectQuiet(net);
  });
});

describe('an INVITE forwarding context after its 2xx', () => {
  it('[DESIGN-speed-txn_release_proxy] MUST let go of the INVITE received and the requests sent once the 2xx went upstream, and still relay a retransmitted 2xx', async () => {
    const net = createProxyNet('udp', 1);
    const [uas] = net.uas as [(typeof net.uas)[0]];
    uas.script = (txn, _req, u) => {
      u.answer(txn, 200);
      // RFC 3261 §13.3.1.4: the UAS core retransmits its 2xx until the ACK (none comes here)
      net.clock.setTimer(500, () => u.answer(txn, 200));
    };
    net.uac.layer.sendRequest(uacRequest(net, 'INVITE'), net.toProxy);
    await run(net, 200);
    const ctx = net.proxy.core.created[0]!;
    expect(ctx.done).toBe(true);
    expect(() => ctx.branches[0]!.target).toThrow(/released/);
    // Both Accepted transactions keep only what RFC 6026's Accepted state uses.
    expect(ctx.server.state).toBe('Accepted');
    expect(ctx.server.holdsRequest).toBe(false);
    expect(ctx.branches[0]!.client?.state).toBe('Accepted');
    expect(ctx.branches[0]!.client?.holdsRequest).toBe(false);
    const before = statuses(net.uac).length;
    await run(net, 1000);
    expect(statuses(net.uac).length).toBeGreaterThan(before);
    expect(statuses(net.uac).every((s) => s === '200 INVITE')).toBe(true);
  });
});

describe('a forwarding context when its transaction layer closes', () => {
  it('[DESIGN-speed-txn_release_proxy] MUST end quietly, answering nothing, when the layer closes while a non-INVITE branch is pending', async () => {
    const net = createProxyNet('udp', 1);
    const [uas] = net.uas as [(typeof net.uas)[0]];
    uas.script = () => {}; // never answers
    net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
    await run(net, 200);
    const ctx = net.proxy.core.created[0]!;
    expect(ctx.done).toBe(false);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      net.proxy.layer.close();
      await run(net, 0);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
    expect(ctx.branches.every((b) => b.ended)).toBe(true);
    expect(statuses(net.uac)).toEqual([]);
  });
});

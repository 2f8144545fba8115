import { describe, expect, it } from 'vitest';
import { createProxyNet, run, statuses, uacRequest } from './proxy-harness.ts';

describe('asynchronous response transform', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`[RFC3261-16.7-transform-order] relays a transformed final even when the client transaction ends first (${protocol})`, async () => {
      const net = createProxyNet(protocol);
      const seen: number[] = [];
      net.proxy.core.options = {
        ...net.proxy.core.options,
        // The rewrite resolves only after the client transaction has terminated (Timer K is 0
        // on a reliable transport): the 200 must still go upstream, not a 408.
        transform: async (res) => {
          await new Promise((r) => setTimeout(r, 20));
          res.headers.append('X-Transformed', String(res.status));
          seen.push(res.status);
        },
      };
      net.uas[0]!.script = (txn, _req, uas) => uas.answer(txn, 200);
      net.uac.layer.sendRequest(uacRequest(net, 'MESSAGE'), net.toProxy);
      await run(net, 200);
      await new Promise((r) => setTimeout(r, 60));
      await run(net, 200);
      expect(statuses(net.uac)).toEqual(['200 MESSAGE']);
      expect(net.uac.tu.responses()[0]!.headers.get('x-transformed')).toBe('200');
      expect(seen).toEqual([200]);
    });
  }
});

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

    it(`[RFC3261-16.7-transform-order] relays a response the transform leaves alone behind an earlier one still being rewritten, and at once when none is (${protocol})`, async () => {
      const net = createProxyNet(protocol);
      const rewritten: number[] = [];
      net.proxy.core.options = {
        ...net.proxy.core.options,
        // The 180 takes 30 ms to rewrite; the 183 and the 200 are left as they are (undefined).
        transform: (res) => {
          if (res.status !== 180) return undefined;
          return new Promise<void>((resolve) =>
            setTimeout(() => {
              res.headers.append('X-Transformed', '180');
              rewritten.push(180);
              resolve();
            }, 30),
          );
        },
      };
      net.uas[0]!.script = (txn, _req, uas) => {
        uas.answer(txn, 183);
        net.clock.setTimer(100, () => {
          uas.answer(txn, 180);
          uas.answer(txn, 200);
        });
      };
      const invite = uacRequest(net, 'INVITE');
      net.uac.layer.sendRequest(invite, net.toProxy);
      await run(net, 50, 50);
      // Nothing was being rewritten: the 183 went up without waiting for a promise.
      expect(statuses(net.uac)).toEqual(['183 INVITE']);
      await run(net, 100, 100);
      await new Promise((r) => setTimeout(r, 60));
      await run(net, 200);
      expect(statuses(net.uac)).toEqual(['183 INVITE', '180 INVITE', '200 INVITE']);
      expect(net.uac.tu.responses()[1]!.headers.get('x-transformed')).toBe('180');
      expect(rewritten).toEqual([180]);
    });
  }
});

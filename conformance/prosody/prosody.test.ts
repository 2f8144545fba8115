import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { tcpExchange } from '../harness/probes.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { openClientStream, type Prosody, startProsody } from './prosody.ts';

/** XEP-0114 §3: open a component stream, then hand over SHA-1(stream id + secret) in hex. */
async function componentHandshake(peer: Prosody, secret: string): Promise<string | undefined> {
  const replies = await tcpExchange(
    peer.host,
    peer.componentPort,
    [
      {
        send:
          `<stream:stream xmlns='jabber:component:accept' ` +
          `xmlns:stream='http://etherx.jabber.org/streams' to='${peer.componentDomain}'>`,
        until: (received) => /\sid=['"][^'"]+['"]/.test(received),
      },
      {
        send: ([header]) => {
          const id = /\sid=['"]([^'"]+)['"]/.exec(header ?? '')?.[1] ?? '';
          return `<handshake>${createHash('sha1')
            .update(id + secret)
            .digest('hex')}</handshake>`;
        },
        until: (received) => received.includes('<handshake/>') || received.includes('</stream:error>'),
      },
    ],
    2_000,
  );
  return replies?.[1];
}

describe('prosody peer', () => {
  let ports: PortAllocator;
  let prosody: Prosody | undefined;
  printPeerOutputOnFailure(() => [prosody]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await prosody?.stop();
    await ports.close();
  });

  it('[HARNESS-prosody-lifecycle] MUST start with a temp-dir config on free ports, answer a c2s stream header with features, accept the XEP-0114 component handshake only with the configured secret, and leave no process or port behind on stop', async () => {
    const secret = randomBytes(12).toString('hex');
    const peer = await startProsody({ ports, component: { domain: 'bridge.localhost', secret } });
    prosody = peer;

    const features = await openClientStream(peer.host, peer.c2sPort, peer.domain);
    expect(features).toMatch(/<stream:stream [^>]*from=['"]localhost['"]/);
    expect(features).toContain('<mechanism>PLAIN</mechanism>');

    expect(await componentHandshake(peer, secret)).toContain('<handshake/>');
    expect(await componentHandshake(peer, 'wrong-secret')).toContain('not-authorized');

    await peer.stop();
    expect(groupAlive(peer.process.pid)).toBe(false);
    expect(await isPortFree(peer.c2sPort, 'tcp')).toBe(true);
    expect(await isPortFree(peer.componentPort, 'tcp')).toBe(true);
  });
});

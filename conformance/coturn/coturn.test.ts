import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { udpExchange } from '../harness/probes.ts';
import { groupAlive } from '../harness/process.ts';
import {
  errorCode,
  parseStun,
  StunAttr,
  StunClass,
  StunMethod,
  stunRequest,
  unauthenticatedAllocate,
  xorMappedAddress,
} from '../harness/stun.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Coturn, startCoturn } from './coturn.ts';

describe('coturn peer', () => {
  let ports: PortAllocator;
  let coturn: Coturn | undefined;
  printPeerOutputOnFailure(() => [coturn]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await coturn?.stop();
    await ports.close();
  });

  it('[HARNESS-coturn-lifecycle] MUST start with use-auth-secret on a free port, answer a STUN Binding with our mapped address, challenge an unauthenticated Allocate with 401 and our realm, and leave no process or port behind on stop', async () => {
    const peer = await startCoturn({
      ports,
      secret: randomBytes(16).toString('hex'),
      realm: 'turn.ims.test',
    });
    coturn = peer;

    const binding = await udpExchange(peer.host, peer.port, stunRequest(StunMethod.binding), 1_000);
    const bindingResponse = binding === undefined ? undefined : parseStun(binding.data);
    expect(bindingResponse?.type).toBe(StunMethod.binding | StunClass.success);
    expect(bindingResponse && xorMappedAddress(bindingResponse)).toEqual({
      address: '127.0.0.1',
      port: binding?.localPort,
    });

    const allocate = await udpExchange(peer.host, peer.port, unauthenticatedAllocate(), 1_000);
    const allocateResponse = allocate === undefined ? undefined : parseStun(allocate.data);
    expect(allocateResponse?.type).toBe(StunMethod.allocate | StunClass.error);
    expect(allocateResponse && errorCode(allocateResponse)).toBe(401);
    expect(allocateResponse?.attributes.get(StunAttr.realm)?.toString('utf8')).toBe('turn.ims.test');
    expect(allocateResponse?.attributes.has(StunAttr.nonce)).toBe(true);

    await peer.stop();
    expect(groupAlive(peer.process.pid)).toBe(false);
    expect(await isPortFree(peer.port, 'both')).toBe(true);
  });
});

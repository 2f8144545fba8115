import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, startTestCore } from './fixture.ts';
import { TestUa } from './test-ua.ts';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

describe('lab core routing to registered contacts (RFC 3327 §5, RFC 3261 §16)', () => {
  it('[RFC3327-5.4-route-by-path] MUST send a request for a registered IMPU to the contact as Request-URI, with the stored Path as Route', async () => {
    const core = await startTestCore();
    running.push(core);
    // The "P-CSCF" on the Path is a test UA that answers what reaches it.
    const pcscf = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:pcscf@ims.lab',
      impi: 'p@ims.lab',
    });
    running.push(pcscf);
    const alice = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:alice@ims.lab',
      impi: 'alice@ims.lab',
      secret: { password: 'alice-pw' },
    });
    running.push(alice);
    const path = `<sip:term@127.0.0.1:${pcscf.port};lr>`;
    expect(
      (
        await alice.register({
          headers: [
            ['Path', path],
            ['Supported', 'path'],
          ],
        })
      ).at(-1)?.status,
    ).toBe(200);

    const caller = await TestUa.start({
      protocol: 'tcp',
      core,
      domain: DOMAIN,
      impu: 'sip:bob@ims.lab',
      impi: 'bob@ims.lab',
    });
    running.push(caller);
    const message = caller.request('MESSAGE', 'tel:+15550100', '<tel:+15550100>', [
      ['Route', `<sip:orig@127.0.0.1:${core.port};lr>`],
      ['Content-Type', 'text/plain'],
    ]);
    message.body = Buffer.from('hello');
    pcscf.onRequest = () => 202;
    const res = await caller.send(message);
    expect(res.status).toBe(202);
    const [got] = await pcscf.waitFor('MESSAGE', 1);
    expect(got!.uri).toBe(alice.contactUri);
    expect(got!.headers.values('route')).toEqual([path]);
    expect(got!.body.toString()).toBe('hello');
    expect(got!.vias).toHaveLength(2);
  });

  it('[RFC3261-16.5-no-target] answers 404 for an unknown user and 480 for a known user with no contact', async () => {
    const core = await startTestCore();
    running.push(core);
    const caller = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:bob@ims.lab',
      impi: 'bob@ims.lab',
    });
    running.push(caller);
    const to = (uri: string) => caller.send(caller.request('MESSAGE', uri, `<${uri}>`));
    expect((await to('sip:nobody@ims.lab')).status).toBe(404);
    expect((await to('sip:carol@ims.lab')).status).toBe(480);
  });
});

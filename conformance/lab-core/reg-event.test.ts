import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../sip/clock/clock.ts';
import { dialogAsUac } from '../../sip/dialog/index.ts';
import type { SipRequest } from '../../sip/index.ts';
import { applyRegInfo, parseRegInfo, type RegInfo } from '../../sip/reginfo/index.ts';
import { DOMAIN, startTestCore } from './fixture.ts';
import { TestUa } from './test-ua.ts';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

function body(notify: SipRequest): RegInfo {
  const r = parseRegInfo(notify.body);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

async function setup(coreOpts = {}) {
  const core = await startTestCore({ trusted: ['127.0.0.2'], ...coreOpts });
  running.push(core);
  const ue = await TestUa.start({
    protocol: 'udp',
    core,
    domain: DOMAIN,
    impu: 'sip:alice@ims.lab',
    impi: 'alice@ims.lab',
    secret: { password: 'alice-pw' },
  });
  running.push(ue);
  const pcscf = await TestUa.start({
    protocol: 'udp',
    host: '127.0.0.2',
    core,
    domain: DOMAIN,
    impu: 'sip:pcscf@ims.lab',
    impi: 'pcscf@ims.lab',
  });
  running.push(pcscf);
  return { core, ue, pcscf };
}

function subscribeRequest(
  pcscf: TestUa,
  aor: string,
  expires = 600,
  extra: ReadonlyArray<readonly [string, string]> = [],
) {
  return pcscf.request('SUBSCRIBE', aor, `<${aor}>`, [
    ['Event', 'reg'],
    ['Expires', String(expires)],
    ['Accept', 'application/reginfo+xml'],
    ['Contact', `<sip:pcscf@127.0.0.2:${pcscf.port}>`],
    ...extra,
  ]);
}

describe('lab core reg event notifier (RFC 3680, TS 24.229 §5.4.2.1)', () => {
  it('[RFC3680-4.7-full-state] [RFC3680-4.7-partial-state] [TS24229-5.4.2.1.2-reg-event] MUST send full state first, then partial state on refresh, shortening and network-initiated deregistration', async () => {
    const { core, ue, pcscf } = await setup();
    expect((await ue.register({ expires: 600 })).at(-1)?.status).toBe(200);
    const sub = subscribeRequest(pcscf, 'sip:alice@ims.lab');
    const ok = await pcscf.send(sub);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('expires')).toBe('600');
    expect(ok.to.params.value('tag')).toBeDefined();

    const [first] = await pcscf.waitFor('NOTIFY', 1);
    expect(first!.headers.get('event')).toBe('reg');
    expect(first!.headers.get('subscription-state')).toMatch(/^active;expires=(600|599)$/);
    expect(first!.headers.get('content-type')).toBe('application/reginfo+xml');
    expect(first!.to.params.value('tag')).toBe(sub.from.params.value('tag'));
    const full = body(first!);
    expect(full).toMatchObject({ version: 0, state: 'full' });
    expect(full.registrations.map((r) => [r.aor, r.state])).toEqual([
      ['sip:alice@ims.lab', 'active'],
      ['tel:+15550100', 'active'],
    ]);
    expect(full.registrations[0]!.contacts.map((c) => [c.uri, c.state, c.event])).toEqual([
      [ue.contactUri, 'active', 'registered'],
    ]);
    let view = applyRegInfo(undefined, full);

    await ue.register({ expires: 600 });
    const refreshed = body((await pcscf.waitFor('NOTIFY', 2))[1]!);
    expect(refreshed).toMatchObject({ version: 1, state: 'partial' });
    expect(refreshed.registrations[0]!.contacts.map((c) => c.event)).toEqual(['refreshed']);

    expect(core.shortenExpiry('tel:+15550100', 100)).toBe(true);
    const shortened = body((await pcscf.waitFor('NOTIFY', 3))[2]!);
    expect(shortened.version).toBe(2);
    expect(shortened.registrations[0]!.contacts.map((c) => [c.event, c.expires])).toEqual([
      ['shortened', 100],
    ]);
    expect(core.registrations.get('sip:alice@ims.lab')?.contacts[0]?.expires).toBe(100);

    expect(core.deregister('sip:alice@ims.lab')).toBe(true);
    const last = (await pcscf.waitFor('NOTIFY', 4))[3]!;
    expect(last.headers.get('subscription-state')).toMatch(/^terminated/);
    const gone = body(last);
    expect(gone.version).toBe(3);
    expect(gone.registrations.map((r) => r.state)).toEqual(['terminated', 'terminated']);
    expect(gone.registrations[0]!.contacts.map((c) => [c.state, c.event])).toEqual([
      ['terminated', 'deactivated'],
    ]);
    expect(core.registrations.get('sip:alice@ims.lab')).toBeUndefined();

    for (const doc of [refreshed, shortened, gone]) {
      if (view.kind !== 'applied') throw new Error(view.kind);
      view = applyRegInfo(view.state, doc);
    }
    expect(view.kind === 'applied' && view.state.registrations[0]!.contacts).toEqual([]);
    await waitUntil(() => core.subscriptions === 0);
  });

  it('[RFC3680-4.7-expired] MUST notify a contact that expired, with event expired', async () => {
    const clock = new FakeClock();
    const { core, ue, pcscf } = await setup({ clock, minExpires: 60 });
    await ue.register({ expires: 60 });
    expect((await pcscf.send(subscribeRequest(pcscf, 'sip:alice@ims.lab'))).status).toBe(200);
    await pcscf.waitFor('NOTIFY', 1);
    // Let the 200 to that NOTIFY reach the core over the real socket before fake time jumps
    // past Timer F (otherwise, on a loaded machine, the NOTIFY transaction times out first).
    await new Promise((r) => setTimeout(r, 200));
    clock.advance(61_000);
    const expired = body((await pcscf.waitFor('NOTIFY', 2))[1]!);
    expect(expired.registrations[0]!.contacts.map((c) => [c.state, c.event])).toEqual([
      ['terminated', 'expired'],
    ]);
    expect(core.registrations.all()).toEqual([]);
  });

  it('[RFC6665-4.1.2.3-unsubscribe] MUST answer an in-dialog SUBSCRIBE with Expires 0 and end the subscription with a terminated NOTIFY', async () => {
    const { core, ue, pcscf } = await setup();
    await ue.register();
    const sub = subscribeRequest(pcscf, 'sip:alice@ims.lab');
    const ok = await pcscf.send(sub);
    const dialog = dialogAsUac(sub, ok, `<sip:pcscf@127.0.0.2:${pcscf.port}>`);
    if (typeof dialog === 'string') throw new Error(dialog);
    await pcscf.waitFor('NOTIFY', 1);
    expect(core.subscriptions).toBe(1);
    const unsubscribe = dialog.createRequest('SUBSCRIBE', {
      via: `SIP/2.0/UDP 127.0.0.2:${pcscf.port};rport`,
      headers: [
        ['Event', 'reg'],
        ['Expires', '0'],
      ],
    });
    const done = await pcscf.send(unsubscribe);
    expect(done.status).toBe(200);
    const last = (await pcscf.waitFor('NOTIFY', 2))[1]!;
    expect(last.headers.get('subscription-state')).toMatch(/^terminated/);
    expect(body(last)).toMatchObject({ version: 1, state: 'full' });
    await waitUntil(() => core.subscriptions === 0);
    // The dialog is gone: a further refresh gets 481.
    const late = dialog.createRequest('SUBSCRIBE', {
      via: `SIP/2.0/UDP 127.0.0.2:${pcscf.port};rport`,
      headers: [['Event', 'reg']],
    });
    expect((await pcscf.send(late)).status).toBe(481);
  });

  it('[RFC3680-4.6-subscribe-checks] refuses other event packages (489), unknown users (404) and unauthorised subscribers (403); an unregistered IMPU is in state init', async () => {
    const { core, pcscf } = await setup();
    const presence = await pcscf.send(
      pcscf.request('SUBSCRIBE', 'sip:alice@ims.lab', '<sip:alice@ims.lab>', [
        ['Event', 'presence'],
        ['Contact', '<sip:p@127.0.0.2>'],
      ]),
    );
    expect(presence.status).toBe(489);
    expect(presence.headers.get('allow-events')).toBe('reg');
    expect((await pcscf.send(subscribeRequest(pcscf, 'sip:nobody@ims.lab'))).status).toBe(404);

    const outsider = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:x@ims.lab',
      impi: 'x@ims.lab',
    });
    running.push(outsider);
    expect((await outsider.send(subscribeRequest(outsider, 'sip:bob@ims.lab'))).status).toBe(403);
    // The user itself, asserted by P-Asserted-Identity, may subscribe from anywhere.
    const self = await outsider.send(
      subscribeRequest(outsider, 'sip:bob@ims.lab', 600, [['P-Asserted-Identity', '<sip:bob@ims.lab>']]),
    );
    expect(self.status).toBe(200);

    expect((await pcscf.send(subscribeRequest(pcscf, 'sip:bob@ims.lab'))).status).toBe(200);
    const init = body((await pcscf.waitFor('NOTIFY', 1))[0]!);
    expect(init.registrations).toEqual([{ aor: 'sip:bob@ims.lab', id: 'reg1', state: 'init', contacts: [] }]);
  });
});

async function waitUntil(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

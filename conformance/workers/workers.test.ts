/**
 * One eP-CSCF worker per core (issue #7): the product started as an operator starts it, with
 * EP_CSCF_WORKERS=2, in front of Kamailio as the IMS core. Twenty WebSocket clients register
 * through the shared SIP_WS_PORT and land on both workers; each worker's Path names its own Mw
 * port, so the core's requests reach the worker that holds the flow; a call between two
 * workers' clients works; /metrics sums the workers; a killed worker is restarted and its
 * clients register again; SIGTERM stops everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { establishCall, hangUp } from '../ep-cscf/call-flow.ts';
import { CallUa } from '../ep-cscf/call-ua.ts';
import { eventually } from '../ep-cscf/eventually.ts';
import { readLocation } from '../ep-cscf/location.ts';
import { sendRequestUdp } from '../ep-cscf/udp-sip-client.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Kamailio, startKamailio } from '../kamailio/kamailio.ts';
import { type Product, sample, startProduct } from './product.ts';

const DOMAIN = 'ims.test';
const USERS = Array.from({ length: 20 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);

describe('eP-CSCF workers: EP_CSCF_WORKERS=2 behind Kamailio', () => {
  let ports: PortAllocator;
  let core: Kamailio;
  let product: Product;
  const clients = new Map<string, CallUa>();
  printPeerOutputOnFailure(() => [core, product]);

  const register = async (user: string): Promise<CallUa> => {
    const client = await CallUa.registered({
      wsUrl: product.wsUrl,
      domain: DOMAIN,
      user,
      secret: { password: '-' },
    });
    clients.set(user, client);
    return client;
  };
  /** The worker (Mw port minus SIP_PORT) whose Path the core stored for each user. */
  const workerOf = async (): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (const contact of await readLocation(core)) {
      const port = Number(/@[^:;>]+:(\d+)/.exec(contact.path ?? '')?.[1]);
      out.set(contact.aor, port - product.sipPort);
    }
    return out;
  };
  const messageTo = (user: string, text: string) =>
    sendRequestUdp(
      { host: core.host, port: core.sipPort },
      {
        method: 'MESSAGE',
        uri: `sip:${user}@${DOMAIN}`,
        from: `<sip:carol@${DOMAIN}>`,
        to: `<sip:${user}@${DOMAIN}>`,
        contentType: 'text/plain',
        body: text,
      },
    );

  beforeAll(async () => {
    ports = await PortAllocator.open();
    core = await startKamailio({ ports, domain: DOMAIN });
    product = await startProduct({
      ports,
      workers: 2,
      env: {
        IMS_CORE_URI: `sip:${core.host}:${core.sipPort}`,
        IMS_DOMAIN: DOMAIN,
        // No eIMS-AGW: SDP passes end to end.
        ROLES: 'waf,wwsf,ep-cscf',
      },
    });
    for (const user of USERS) await register(user);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await product?.stop();
    await core?.stop();
    await ports?.close();
  });

  it('[DESIGN-workers-ws-port] MUST spread the WebSocket clients of SIP_WS_PORT over both workers, each Path naming its worker Mw port', async () => {
    const workers = await workerOf();
    expect([...workers.keys()].sort()).toEqual(USERS);
    const perWorker = [0, 1].map((w) => [...workers.values()].filter((x) => x === w).length);
    expect(perWorker[0]).toBeGreaterThan(0);
    expect(perWorker[1]).toBeGreaterThan(0);
    expect((perWorker[0] ?? 0) + (perWorker[1] ?? 0)).toBe(USERS.length);
    const health = await product.health();
    expect(health).toMatchObject({ httpStatus: 200, status: 'ok', roles: { 'ep-cscf': 'up' } });
    expect(health.workers.map((w) => [w.index, w.state, w.detail?.mwPort])).toEqual([
      [0, 'up', product.sipPort],
      [1, 'up', product.sipPort + 1],
    ]);
  });

  it('[DESIGN-workers-discovery] MUST announce SIP_WS_PORT as the WebSocket URL in the discovery document', async () => {
    const response = await fetch(`${product.url}/.well-known/webrtc-ims?domain=ims.lab`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { webSocketUrls: string[] };
    expect(body.webSocketUrls).toEqual([product.wsUrl]);
  });

  it('[DESIGN-workers-mw-port] MUST deliver a request the core routes along a Path to that client, through the worker holding its flow', async () => {
    const workers = await workerOf();
    const targets = [0, 1].map((w) => USERS.find((u) => workers.get(u) === w) ?? '');
    for (const user of targets) {
      const exchange = messageTo(user, `hello ${user}`);
      const received = await clients.get(user)?.incoming('MESSAGE');
      expect(received?.request.body.toString('utf8')).toBe(`hello ${user}`);
      received?.reply(200);
      expect((await exchange).final?.status).toBe(200);
    }
    for (const [user, client] of clients)
      if (!targets.includes(user)) expect(client.pendingRequests('MESSAGE')).toEqual([]);
  });

  it('[DESIGN-workers-call] MUST set up and tear down a call between clients of different workers, SDP end to end', async () => {
    const workers = await workerOf();
    const caller = clients.get(USERS.find((u) => workers.get(u) === 0) ?? '');
    const callee = clients.get(USERS.find((u) => workers.get(u) === 1) ?? '');
    if (caller === undefined || callee === undefined) throw new Error('no client on one of the workers');
    const call = await establishCall(caller, callee);
    expect(call.ok.status).toBe(200);
    expect(call.received.request.body.toString('utf8')).toBe(call.offer);
    expect(call.ok.body.toString('utf8')).toBe(call.answer);
    // Each worker record-routes with its own Mw port: in-dialog requests come back to it.
    const routes = call.ok.headers.values('record-route').join(',');
    expect(routes).toContain(`:${product.sipPort};`);
    expect(routes).toContain(`:${product.sipPort + 1};`);
    const { ok } = await hangUp(call.caller, call.callee);
    expect(ok.status).toBe(200);
  });

  it('[DESIGN-workers-metrics] MUST show on /metrics the sum of the workers registrations and flows', async () => {
    const text = await eventually(
      () => product.metrics(),
      (t) => sample(t, 'epcscf_registrations') === USERS.length,
      5_000,
    );
    expect(sample(text, 'epcscf_registrations')).toBe(USERS.length);
    expect(sample(text, 'epcscf_flows_active')).toBe(USERS.length);
    expect(sample(text, 'epcscf_requests_total', 'method="REGISTER",side="client"')).toBeGreaterThanOrEqual(
      USERS.length,
    );
    expect(sample(text, 'webrtc_ims_role_up', 'role="ep-cscf"')).toBe(1);
  });

  it('[DESIGN-workers-restart] MUST log a killed worker with its exit status, report it on /healthz, restart it, and let its clients register again', async () => {
    const before = await product.health();
    const victim = before.workers[1]?.pid ?? 0;
    const workers = await workerOf();
    const orphans = USERS.filter((u) => workers.get(u) === 1);
    process.kill(victim, 'SIGKILL');
    const down = await eventually(
      () => product.health(),
      (h) => h.workers[1]?.state !== 'up',
      5_000,
    );
    expect(down).toMatchObject({ httpStatus: 503, status: 'degraded', roles: { 'ep-cscf': 'failed' } });
    await Promise.all(orphans.map((u) => clients.get(u)?.ua.ws.closed));
    const up = await eventually(
      () => product.health(),
      (h) => h.workers[1]?.state === 'up',
      90_000,
    );
    expect(up).toMatchObject({ httpStatus: 200, status: 'ok', roles: { 'ep-cscf': 'up' } });
    expect(up.workers[1]?.restarts).toBe(1);
    expect(up.workers[1]?.pid).not.toBe(victim);
    expect(up.workers[0]?.pid).toBe(before.workers[0]?.pid);
    const exit = product.logs().find((l) => l.pid === product.process.pid && l['restartInMs'] !== undefined);
    expect(exit).toMatchObject({ level: 50, worker: 1, workerPid: victim, signal: 'SIGKILL' });

    // The core still holds the dead flows: the restarted worker knows the token, not the flow.
    const stale = await messageTo(orphans[0] ?? '', 'anyone there?');
    expect(stale.final?.status).toBe(430);
    // Its clients connect again and register; requests reach them once more.
    for (const user of orphans) {
      await clients.get(user)?.close();
      await register(user);
    }
    const again = messageTo(orphans[0] ?? '', 'welcome back');
    const received = await clients.get(orphans[0] ?? '')?.incoming('MESSAGE');
    expect(received?.request.body.toString('utf8')).toBe('welcome back');
    received?.reply(200);
    expect((await again).final?.status).toBe(200);
  }, 150_000);

  it('[DESIGN-workers-stop] MUST stop the workers first on SIGTERM, then the other roles, and exit 0 leaving no process', async () => {
    const pids = (await product.health()).workers.map((w) => w.pid ?? 0);
    process.kill(product.process.pid, 'SIGTERM');
    expect(await product.process.exited).toEqual({ code: 0, signal: null });
    const logs = product.logs();
    const primary = logs.filter((l) => l.pid === product.process.pid);
    const stoppedWorkers = primary.findIndex((l) => l.msg === 'worker stopped' && l['code'] === 0);
    const stoppedAll = primary.findIndex((l) => l.msg === 'stopped');
    expect(primary.filter((l) => l.msg === 'worker stopped').map((l) => l['code'])).toEqual([0, 0]);
    expect(stoppedWorkers).toBeGreaterThan(-1);
    expect(stoppedAll).toBeGreaterThan(stoppedWorkers);
    for (const pid of [product.process.pid, ...pids]) expect(() => process.kill(pid, 0)).toThrow();
  });
});

/**
 * The registration steps, written once and run by one test file per browser SIP library
 * (register-jssip.test.ts, register-sipjs.test.ts; TS 24.229 §5.2.2, RFC 3327, RFC 5626): the file
 * calls `useRegisterSuite(options)` at the top of its describe (Kamailio with digest, the core
 * tap and the eP-CSCF for the file, one client of that library) and one step per `it`, in the
 * order below: the steps share that one client and build on each other. The core's location
 * table, the eP-CSCF's store and the messages the client saw on its WebSocket are the evidence.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { eventually } from './eventually.ts';
import { type LocationContact, readLocation } from './location.ts';
import { expectCoreRegister, expectFlowPath, expectOneVia } from './registration-checks.ts';
import { DOMAIN, startTestBed, type TestBed } from './test-bed.ts';
import { installWebSocketTap, type WireTap } from './wire-tap.ts';

/** What the steps need of a library's client, each result as the library reported it. */
export interface RegisteringClient {
  /** connects, then REGISTERs answering the digest challenge; the final status */
  register(): Promise<number | undefined>;
  /** a refresh REGISTER over the same flow; the final status and its Flow-Timer values */
  refresh(): Promise<{ readonly status: number | undefined; readonly flowTimer: readonly string[] }>;
  /** REGISTER with Expires: 0; the final status */
  unregister(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export interface RegisteringClientOptions {
  readonly wsUrl: string;
  readonly user: string;
  readonly domain: string;
  readonly password: string;
  /** the tap the client's WebSocket records to */
  readonly wire: WireTap;
}

export interface RegisterSuiteOptions {
  /** a subscriber of the test bed (test-bed.ts: ALICE, BOB) */
  readonly subscriber: { readonly user: string; readonly password: string };
  /** FLOW_TIMER of the eP-CSCF */
  readonly flowTimer: number;
  /** VISITED_NETWORK_ID of the eP-CSCF; unset, P-Visited-Network-ID falls back to IMS_DOMAIN */
  readonly visitedNetworkId?: string;
  /** the library's client, configured as a web page would configure it */
  readonly client: (o: RegisteringClientOptions) => RegisteringClient;
}

/** The steps, in the order the tests run them; each asserts what its requirement asks. */
export interface RegisterSteps {
  /** [RFC3327-5-path] [RFC5626-5.1-ob]: 401 then 200, and the core stores our flow Path with ob */
  registerWithFlowPath(): Promise<void>;
  /** [TS24229-5.2.2.1-path-etc]: both REGISTERs (challenged, answered) reached the core edited */
  forwardRegistersEdited(): void;
  /** [TS24229-5.2.2.1-service-route]: Service-Route and P-Associated-URI reach the client and the store */
  passServiceRoute(): Promise<void>;
  /** [RFC5626-4.4.1-flow-timer]: the 200 the client got carries the configured Flow-Timer */
  addFlowTimer(): void;
  /** [RFC3261-16.7-relay-own-via-removed]: every response the client got carries its own Via only */
  relayWithOwnViaOnly(): void;
  /** [RFC3261-10.2.4-refresh]: a refresh keeps one binding, same Path and Call-ID, higher CSeq */
  refreshOverSameFlow(): Promise<void>;
  /** [RFC3261-10.2.2-unregister]: after Expires 0, no binding at the core or in the store */
  unregisterEverywhere(): Promise<void>;
}

interface RegisterSuite {
  readonly options: RegisterSuiteOptions;
  /** the client's AoR, sip:USER@DOMAIN */
  readonly aor: string;
  readonly wire: WireTap;
  bed(): TestBed;
  client(): RegisteringClient;
}

export function useRegisterSuite(options: RegisterSuiteOptions): RegisterSteps {
  const wire = installWebSocketTap();
  const peers: Array<{ report(): string }> = [];
  let ports: PortAllocator | undefined;
  let bed: TestBed | undefined;
  let client: RegisteringClient | undefined;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    const visited = options.visitedNetworkId;
    bed = await startTestBed({
      ports,
      env: {
        FLOW_TIMER: String(options.flowTimer),
        ...(visited === undefined ? {} : { VISITED_NETWORK_ID: visited }),
      },
      onPeer: (p) => peers.push(p),
    });
    const { user, password } = options.subscriber;
    client = options.client({ wsUrl: bed.ep.wsUrl, user, domain: DOMAIN, password, wire });
  });
  afterAll(async () => {
    await client?.stop();
    await bed?.stop();
    await ports?.close();
  });

  const suite: RegisterSuite = {
    options,
    aor: `sip:${options.subscriber.user}@${DOMAIN}`,
    wire,
    bed: () => started(bed),
    client: () => started(client),
  };
  return {
    registerWithFlowPath: () => registerWithFlowPath(suite),
    forwardRegistersEdited: () => forwardRegistersEdited(suite),
    passServiceRoute: () => passServiceRoute(suite),
    addFlowTimer: () => addFlowTimer(suite),
    relayWithOwnViaOnly: () => relayWithOwnViaOnly(suite),
    refreshOverSameFlow: () => refreshOverSameFlow(suite),
    unregisterEverywhere: () => unregisterEverywhere(suite),
  };
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('register suite not started');
  return value;
}

/** The core's bindings of the suite's subscriber. */
async function boundAtCore(s: RegisterSuite): Promise<LocationContact[]> {
  return (await readLocation(s.bed().core)).filter((c) => c.aor === s.options.subscriber.user);
}

async function registerWithFlowPath(s: RegisterSuite): Promise<void> {
  expect(await s.client().register()).toBe(200);
  expect(s.wire.responsesTo('REGISTER').map((r) => r.status)).toEqual([401, 200]);
  // The precondition of ob (RFC 5626 §5.1): the client sends reg-id and +sip.instance.
  const sent = s.wire.requests('REGISTER')[0]?.message;
  expect(sent?.headers.get('contact')).toMatch(/reg-id=1/);
  expect(sent?.headers.get('contact')).toMatch(/\+sip\.instance=/);

  const location = await boundAtCore(s);
  expect(location).toHaveLength(1);
  expectFlowPath(s.bed().ep, location[0]?.path, { ob: true });
}

function forwardRegistersEdited(s: RegisterSuite): void {
  const registers = s.bed().tap.requests.filter((r) => r.method === 'REGISTER');
  expect(registers).toHaveLength(2);
  const visited = s.options.visitedNetworkId ?? DOMAIN;
  expectCoreRegister(s.bed().ep, registers, { visited, ob: true });
}

async function passServiceRoute(s: RegisterSuite): Promise<void> {
  const { core, ep } = s.bed();
  const ok = s.wire.responsesTo('REGISTER').at(-1);
  expect(ok?.headers.values('service-route')).toEqual([core.serviceRoute]);
  expect(ok?.headers.values('p-associated-uri')).toEqual([`<${s.aor}>`]);

  const bindings = await eventually(
    () => ep.store.forAor(s.aor),
    (b) => b.length === 1,
  );
  expect(bindings).toHaveLength(1);
  const b = bindings[0];
  expect(b?.serviceRoute).toEqual([core.serviceRoute]);
  expect(b?.associatedUris).toEqual([`<${s.aor}>`]);
  expect(b?.regId).toBe(1);
  expect(b?.instanceId).toMatch(/urn:uuid:/);
  const token = /<sip:([^@]+)@/.exec((await boundAtCore(s))[0]?.path ?? '')?.[1] ?? '';
  expect(b?.connectionId).toBe(ep.running.context.tokens.decode(token));
}

function addFlowTimer(s: RegisterSuite): void {
  const ok = s.wire.responsesTo('REGISTER').at(-1);
  expect(ok?.status).toBe(200);
  expect(ok?.headers.values('flow-timer')).toEqual([String(s.options.flowTimer)]);
}

function relayWithOwnViaOnly(s: RegisterSuite): void {
  const responses = s.wire.responsesTo('REGISTER');
  expect(responses.length).toBeGreaterThan(0);
  for (const r of responses)
    expectOneVia(r, s.wire.requests('REGISTER').find((q) => q.message.cseq.seq === r.cseq.seq)?.message);
}

async function refreshOverSameFlow(s: RegisterSuite): Promise<void> {
  const before = await boundAtCore(s);
  const refreshed = await s.client().refresh();
  expect(refreshed.status).toBe(200);
  expect(refreshed.flowTimer).toEqual([String(s.options.flowTimer)]);

  const after = await boundAtCore(s);
  expect(after).toHaveLength(1);
  expect(after[0]?.address).toBe(before[0]?.address);
  expect(after[0]?.path).toBe(before[0]?.path);
  expect(after[0]?.callId).toBe(before[0]?.callId);
  expect(after[0]?.cseq).toBeGreaterThan(before[0]?.cseq ?? Number.POSITIVE_INFINITY);
  expect(await s.bed().ep.store.forAor(s.aor)).toHaveLength(1);
}

async function unregisterEverywhere(s: RegisterSuite): Promise<void> {
  const { ep } = s.bed();
  expect(await s.client().unregister()).toBe(200);
  expect(await boundAtCore(s)).toEqual([]);
  expect(
    await eventually(
      () => ep.store.forAor(s.aor),
      (b) => b.length === 0,
    ),
  ).toEqual([]);
  expect(await ep.store.size()).toBe(0);
}

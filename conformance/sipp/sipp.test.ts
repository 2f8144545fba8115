import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { udpExchange } from '../harness/probes.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Kamailio, startKamailio } from '../kamailio/kamailio.ts';
import { runSipp, type SippResult, type SippServer, startSippServer } from './sipp.ts';

describe('sipp peer against the IMS-core stand-in', () => {
  let ports: PortAllocator;
  let kamailio: Kamailio | undefined;
  let uas: SippServer | undefined;
  let lastRun: SippResult | undefined;
  printPeerOutputOnFailure(() => [kamailio, uas, lastRun]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    kamailio = await startKamailio({ ports });
  });
  afterAll(async () => {
    await uas?.stop();
    await kamailio?.stop();
    await ports.close();
  });

  it('[HARNESS-sipp-register] MUST run a REGISTER scenario to completion, exiting 0 only when the 200 OK carries the Service-Route, and leave no process or port behind', async () => {
    const k = kamailio!;
    const localPort = await ports.port('udp');
    lastRun = await runSipp({
      scenario: 'register-expect-200-service-route.xml',
      remote: { host: k.host, port: k.sipPort },
      localPort,
      service: 'alice',
      keys: { domain: k.domain, expires: '60' },
    });
    expect(lastRun.exitCode).toBe(0);
    expect(lastRun.messages).toContain(`Service-Route: ${k.serviceRoute}`);
    expect(await k.kamcmd('ul.lookup', 'location', 'alice')).toContain(`sip:alice@127.0.0.1:${localPort}`);
    expect(await isPortFree(localPort, 'udp')).toBe(true);
    ports.release(localPort);
  });

  it('[HARNESS-sipp-uas-echo] MUST answer an INVITE routed by Kamailio to the registered UAS with PCMA SDP, echo RTP with -rtp_echo, complete the BYE, and exit', async () => {
    const k = kamailio!;
    const uasPort = await ports.port('udp');
    const mediaPorts = await ports.range(4, 'udp');
    const register = await runSipp({
      scenario: 'register-expect-200-service-route.xml',
      remote: { host: k.host, port: k.sipPort },
      localPort: uasPort,
      service: 'bob',
      keys: { domain: k.domain, expires: '60' },
    });
    expect(register.exitCode).toBe(0);

    // Same local port as the REGISTER: a sipp client scenario only sees its own Call-IDs.
    uas = await startSippServer({
      scenario: 'uas-answer-pcma.xml',
      localPort: uasPort,
      service: 'bob',
      mediaPort: mediaPorts.min,
      rtpEcho: true,
    });
    const rtp = Buffer.from('80080001000000a0deadbeef' + 'd5'.repeat(160), 'hex');
    const echoed = await udpExchange('127.0.0.1', mediaPorts.min, rtp, 1_000);
    expect(echoed?.data.equals(rtp)).toBe(true);

    const callerPort = await ports.port('udp');
    const callerMedia = await ports.range(4, 'udp');
    lastRun = await runSipp({
      scenario: 'uac-invite-pcma-expect-200.xml',
      remote: { host: k.host, port: k.sipPort },
      localPort: callerPort,
      service: 'bob',
      keys: { domain: k.domain },
      mediaPort: callerMedia.min,
      extraArgs: ['-d', '200'],
    });
    expect(lastRun.exitCode).toBe(0);
    expect(lastRun.messages).toMatch(/SIP\/2\.0 200 OK[\s\S]*a=rtpmap:8 PCMA\/8000/);

    const answered = await uas.finished();
    expect(answered.exitCode).toBe(0);
    expect(groupAlive(uas.pid)).toBe(false);
    expect(await isPortFree(uasPort, 'udp')).toBe(true);
    expect(await isPortFree(mediaPorts.min, 'udp')).toBe(true);
    uas = undefined;
  });
});

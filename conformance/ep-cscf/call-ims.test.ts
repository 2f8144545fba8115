/**
 * Calls between a WebRTC client and a user on the IMS side (TS 24.229 §5.2.6.3-§5.2.6.4,
 * §5.2.7): Kamailio is the IMS core (registrar with Path, Record-Route on INVITE, routing to
 * registered contacts), sipp the IMS user registered directly with it. Originating: the client
 * calls sipp's PCMA UAS (uas-answer-pcma.xml), whose INVITE must have come through the eP-CSCF;
 * terminating: sipp calls the client (uac-invite-pcma-expect-200.xml), whose INVITE arrives on its
 * WebSocket. 200, ACK and BYE complete both ways (sipp exits 0 only when its scenario did). No
 * media gateway: the SDP passes through.
 */
import { describe, expect, it } from 'vitest';
import { runSipp } from '../sipp/sipp.ts';
import { expectNoCalls, flowOf, flowOfUser } from './call-checks.ts';
import { webrtcSdp } from './call-sdp.ts';
import { headerValues, receivedBySipp } from './call-sipp-log.ts';
import { CallUa } from './call-ua.ts';
import { useImsSideBed } from './ims-side-bed.ts';
import { startSippImsUser } from './sipp-ims-user.ts';

const DOMAIN = 'ims.test';

describe('eP-CSCF calls to and from the IMS side: Kamailio as the core, sipp as the IMS user', () => {
  const bed = useImsSideBed(DOMAIN);

  it('[TS24229-5.2.7.2-originating-to-ims] MUST carry a call from a WebSocket client to an IMS user: the INVITE the IMS user receives carries the Record-Route with the client flow token and the asserted identity, and 200, ACK and BYE complete', async () => {
    const e = bed.ep;
    const a = bed.alice;
    const bob = await startSippImsUser(bed, {
      user: 'bob',
      domain: DOMAIN,
      scenario: 'uas-answer-pcma.xml',
      media: true,
    });

    const offer = webrtcSdp({ user: 'alice' });
    const invite = a.invite(`sip:bob@${DOMAIN}`, { body: offer });
    expect((await invite.provisional(5_000)).status).toBe(180);
    const { response, dialog } = await invite.answered();
    expect(response.status).toBe(200);
    expect(response.body.toString('utf8')).toMatch(/m=audio \d+ RTP\/AVP 8 101[\s\S]*a=rtpmap:8 PCMA\/8000/);
    expect((await dialog.request('BYE')).status).toBe(200);

    const done = await bob.finished();
    const atSipp = receivedBySipp(done.messages, 'INVITE');
    const rr = headerValues(atSipp, 'Record-Route');
    const aliceFlow = await flowOfUser(e, a.impu);
    expect(rr.map((r) => flowOf(e, r))).toContain(aliceFlow);
    expect(headerValues(atSipp, 'P-Asserted-Identity')).toEqual([`<sip:alice@${DOMAIN}>`]);
    expect(atSipp).toContain('UDP/TLS/RTP/SAVPF');
    expect(receivedBySipp(done.messages, 'ACK')).toMatch(/^ACK sip:bob@/);
    expect(receivedBySipp(done.messages, 'BYE')).toMatch(/^BYE sip:bob@/);
    await expectNoCalls(e);
  });

  it('[TS24229-5.2.7.3-terminating-from-ims] MUST carry a call from an IMS user to a WebSocket client: the INVITE arrives on the client WebSocket under our Record-Route, and the client 200, the IMS user ACK and BYE complete', async () => {
    const k = bed.core;
    const e = bed.ep;
    const a = bed.alice;
    const callerPort = await bed.ports.port('udp');
    const media = await bed.ports.range(2, 'udp');
    const run = runSipp({
      scenario: 'uac-invite-pcma-expect-200.xml',
      remote: { host: k.host, port: k.sipPort },
      localPort: callerPort,
      service: 'alice',
      keys: { domain: DOMAIN },
      mediaPort: media.min,
      extraArgs: ['-d', '300'],
    });

    const inv = await a.incoming('INVITE', undefined, 5_000);
    const rr = inv.request.headers.values('record-route');
    expect(flowOf(e, rr[0])).toBe(await flowOfUser(e, a.impu));
    expect(rr.length).toBeGreaterThanOrEqual(2);
    expect(inv.request.headers.values('route')).toEqual([]);
    expect(inv.request.uri).toBe(a.ua.contactUri);
    expect(inv.request.body.toString('utf8')).toContain('a=rtpmap:8 PCMA/8000');
    inv.reply(180);
    const d = inv.answer({ body: webrtcSdp({ user: 'alice', setup: 'active' }) });
    const ack = await d.incoming('ACK', 5_000);
    expect(ack.request.headers.values('route')).toEqual([]);
    const bye = await d.incoming('BYE', 5_000);
    expect(bye.request.headers.values('route')).toEqual([]);
    bye.reply(200);

    bed.lastRun = await run;
    expect(bed.lastRun.exitCode).toBe(0);
    expect(bed.lastRun.messages).toMatch(/SIP\/2\.0 200 OK[\s\S]*a=ice-ufrag:alice/);
    await expectNoCalls(e);
  });

  /**
   * A WebSocket client `caller` (through the eP-CSCF) in an answered call with a sipp UAS
   * `callee` registered directly to Kamailio; `finish()` collects sipp's run once it ends.
   */
  async function answeredCallToSipp(caller: string, callee: string) {
    const ua = await CallUa.registered({
      wsUrl: bed.ep.wsUrl,
      domain: DOMAIN,
      user: caller,
      secret: { password: '-' },
    });
    const sipp = await startSippImsUser(bed, {
      user: callee,
      domain: DOMAIN,
      scenario: 'uas-answer-pcma.xml',
      media: true,
    });
    const invite = ua.invite(`sip:${callee}@${DOMAIN}`, { body: webrtcSdp({ user: caller }) });
    await invite.answered();
    const finish = async () => receivedBySipp((await sipp.finished()).messages, 'BYE');
    return { ua, invite, finish };
  }

  it("[TS24229-5.2.8.1.2-flow-failure-bye-to-ims] MUST release toward the IMS user, along the core's Record-Route, a call whose WebSocket client drops: the IMS user gets a BYE with a Reason and answers it", async () => {
    const { ua, invite, finish } = await answeredCallToSipp('dave', 'erin');
    await ua.close();
    const bye = await finish();
    expect(bye).toMatch(/^BYE sip:erin@/);
    expect(headerValues(bye, 'Reason')[0]).toMatch(/^SIP\s*;\s*cause=\d{3}\b/i);
    expect(headerValues(bye, 'Call-ID')).toEqual([invite.callId]);
    await expectNoCalls(bed.ep);
  });

  it('[TS24229-5.2.8-release-on-stop] MUST release a call toward the IMS user when the eP-CSCF stops gracefully: the IMS user gets a BYE', async () => {
    const { ua, invite, finish } = await answeredCallToSipp('frank', 'gina');
    // Let the ACK reach sipp first (its scenario expects INVITE, ACK, then BYE).
    await new Promise((r) => setTimeout(r, 300));
    await bed.ep.stop();
    const bye = await finish();
    expect(bye).toMatch(/^BYE sip:gina@/);
    expect(headerValues(bye, 'Call-ID')).toEqual([invite.callId]);
    await ua.close();
  });
});

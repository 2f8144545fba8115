/**
 * Pager-mode MESSAGE (RFC 3428) between a WebRTC client and a user on the IMS side (TS 24.229
 * §5.2.6.3.6, §5.2.6.4.6): Kamailio as the core, sipp as the IMS user registered directly with
 * it. The client's MESSAGE reaches sipp (uas-message-answer-200.xml) with its body and the
 * client's asserted identity, and sipp's 200 comes back; sipp's MESSAGE
 * (uac-message-expect-200.xml) reaches the client's WebSocket and the client's 200 reaches sipp.
 */
import { describe, expect, it } from 'vitest';
import { runSipp } from '../sipp/sipp.ts';
import { bodyOf, headerValues, receivedBySipp } from './call-sipp-log.ts';
import { useImsSideBed } from './ims-side-bed.ts';
import { startSippImsUser } from './sipp-ims-user.ts';

const DOMAIN = 'ims.test';

describe('eP-CSCF MESSAGE to and from the IMS side: Kamailio as the core, sipp as the IMS user', () => {
  const bed = useImsSideBed(DOMAIN);

  it("[RFC3428-4-message-to-ims] MUST carry a MESSAGE from a WebSocket client to an IMS user with its body and the client's asserted identity, and return the IMS user's 200", async () => {
    const carol = await startSippImsUser(bed, {
      user: 'carol',
      domain: DOMAIN,
      scenario: 'uas-message-answer-200.xml',
    });

    const final = await bed.alice.request('MESSAGE', `sip:carol@${DOMAIN}`, {
      contentType: 'text/plain',
      body: 'hello from the browser',
    });
    expect(final.status).toBe(200);
    const done = await carol.finished();
    const atSipp = receivedBySipp(done.messages, 'MESSAGE');
    expect(bodyOf(atSipp)).toBe('hello from the browser');
    expect(headerValues(atSipp, 'P-Asserted-Identity')).toEqual([`<sip:alice@${DOMAIN}>`]);
  });

  it('[RFC3428-4-message-from-ims] MUST carry a MESSAGE from an IMS user to the WebSocket client and return its 200 to the IMS user', async () => {
    const k = bed.core;
    const run = runSipp({
      scenario: 'uac-message-expect-200.xml',
      remote: { host: k.host, port: k.sipPort },
      localPort: await bed.ports.port('udp'),
      service: 'alice',
      keys: { domain: DOMAIN, text: 'hello from the network' },
    });
    const m = await bed.alice.incoming('MESSAGE', undefined, 5_000);
    expect(m.request.body.toString('utf8').trim()).toBe('hello from the network');
    expect(m.request.headers.get('content-type')).toBe('text/plain');
    expect(m.request.headers.values('route')).toEqual([]);
    expect(m.request.uri).toBe(bed.alice.ua.contactUri);
    m.reply(200);
    bed.lastRun = await run;
    expect(bed.lastRun.exitCode).toBe(0);
  });
});

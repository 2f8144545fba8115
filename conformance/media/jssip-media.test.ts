/**
 * End-to-end media with JsSIP 3 in headless Chromium (TS 24.371 §7, TS 23.334 §5.20/§6.2.10):
 * browser ↔ eP-CSCF (SIP over WebSocket) ↔ Kamailio (IMS core) ↔ sipp or a second browser,
 * media anchored by the eIMS-AGW in a real rtpengine. Scenarios: media-suite.ts.
 */
import { describe, it } from 'vitest';
import {
  browserCallsBrowser,
  browserCallsSipp,
  flowDropsMidCall,
  sippCallsBrowser,
  useMediaSuite,
} from './media-suite.ts';

describe('media: JsSIP in Chromium through the eP-CSCF, rtpengine and Kamailio', () => {
  const suite = useMediaSuite('jssip');

  it("[TS23334-6.2.10-e2e-originating] a JsSIP call to an IMS user MUST reach it as RTP/AVP at rtpengine's address without ICE/DTLS attributes, be answered to the browser with ICE candidates, a fingerprint and a=setup, carry audio both ways, and leave no rtpengine session after the browser's BYE", async () => {
    await browserCallsSipp(suite);
  });

  it('[TS23334-6.2.10-e2e-terminating] an IMS user calling a JsSIP browser MUST reach it with UDP/TLS/RTP/SAVPF, ICE candidates and a fingerprint, get an RTP/AVP answer at rtpengine, carry audio both ways, and leave no rtpengine session after its BYE', async () => {
    await sippCallsBrowser(suite);
  });

  it('[TS24371-7-e2e-wic-to-wic] a JsSIP browser calling another through the IMS core MUST have audio flowing both ways through rtpengine and leave no rtpengine session after the hang-up', async () => {
    await browserCallsBrowser(suite);
  });

  it('[TS24371-7-e2e-flow-drop] when the JsSIP page goes away mid-call (WebSocket closed, no BYE) the IMS user MUST get a BYE and rtpengine MUST hold no session for the call', async () => {
    await flowDropsMidCall(suite);
  });
});

/**
 * SIP.js 0.21 (unmodified, in Node; UserAgent + Registerer with reg-id) registers, re-registers
 * and unregisters through the eP-CSCF to Kamailio as the IMS core with digest authentication
 * (TS 24.229 §5.2.2, RFC 3327, RFC 5626). The steps run in order on one client. Steps:
 * register-suite.ts.
 */
import type { Core } from 'sip.js';
import { describe, it } from 'vitest';
import { useRegisterSuite } from './register-suite.ts';
import { createSipJsClient } from './sipjs-client.ts';
import { BOB } from './test-bed.ts';

describe('eP-CSCF registration path: SIP.js through the eP-CSCF to Kamailio', () => {
  // VISITED_NETWORK_ID left unset: P-Visited-Network-ID falls back to IMS_DOMAIN.
  const steps = useRegisterSuite({
    subscriber: BOB,
    flowTimer: 110,
    client: (o) => {
      const sipjs = createSipJsClient(o);
      const final = async (sent: Promise<Core.IncomingResponse>) => {
        const { message } = await sent;
        return { status: message.statusCode, flowTimer: message.getHeaders('Flow-Timer') };
      };
      return {
        register: async () => (await final(sipjs.register())).status,
        refresh: () => final(sipjs.register()),
        unregister: async () => (await final(sipjs.unregister())).status,
        stop: () => sipjs.stop(),
      };
    },
  });

  it('[RFC3327-5-path] [RFC5626-5.1-ob] MUST register SIP.js with digest (401 then 200) and make the core store a Path to the eP-CSCF whose user part is the flow token of the client connection, with ob', async () => {
    await steps.registerWithFlowPath();
  });

  it('[TS24229-5.2.2.1-path-etc] MUST forward each REGISTER to the core with its Path on top, Supported and Require path, P-Visited-Network-ID and a fresh P-Charging-Vector icid, and nothing of sec-agree', () => {
    steps.forwardRegistersEdited();
  });

  it('[TS24229-5.2.2.1-service-route] MUST pass the Service-Route and P-Associated-URI of the 200 to the client and keep them, with the flow, for the registered contact', async () => {
    await steps.passServiceRoute();
  });

  it('[RFC5626-4.4.1-flow-timer] MUST add Flow-Timer with the configured value to the 2xx of an outbound REGISTER', () => {
    steps.addFlowTimer();
  });

  it('[RFC3261-16.7-relay-own-via-removed] MUST relay the responses of the core to the client with the eP-CSCF Via removed, so the client sees its own Via only', () => {
    steps.relayWithOwnViaOnly();
  });

  it('[RFC3261-10.2.4-refresh] MUST carry a refresh REGISTER over the same flow: one binding at the core with the same Path, a higher CSeq, and one binding in the store', async () => {
    await steps.refreshOverSameFlow();
  });

  it('[RFC3261-10.2.2-unregister] MUST carry an unregistration (Expires 0) to the core and then hold no binding for the client, at the core or in the eP-CSCF store', async () => {
    await steps.unregisterEverywhere();
  });
});

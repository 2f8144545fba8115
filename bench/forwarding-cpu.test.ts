import { describe, expect, it } from 'vitest';
import { formatForwardingCpu, runForwardingCpu, SMOKE } from './forwarding-cpu.ts';

/**
 * Smoke test of the forwarding-CPU benchmark: a tiny run registers and calls through a real
 * eP-CSCF with no failure, and the child process measures itself. No test looks at the figures.
 */
describe('bench:forwarding-cpu', () => {
  it('[DESIGN-speed-forwarding_cpu_bench] registers and calls through the eP-CSCF and through the floor relay, and reports CPU and allocations per operation for both, the profile and the calls per function', async () => {
    const r = await runForwardingCpu({ ...SMOKE, profile: true, countCalls: true });
    expect(r.failures).toEqual([]);
    expect(r.rounds).toHaveLength(1);
    expect(r.floor?.rounds).toHaveLength(1);
    for (const phase of [r.register, r.call, r.floor?.register, r.floor?.call]) {
      if (phase === undefined) throw new Error('no floor figures');
      expect(phase.failures).toBe(0);
      expect(phase.cpuUsPerOp).toBeGreaterThan(0);
      expect(phase.bytesPerOp).toBeGreaterThan(0);
    }
    // The core saw every registration twice (401, then 200) and every call's INVITE, ACK and BYE.
    const registrations = SMOKE.clients + SMOKE.warmup + SMOKE.pairs;
    const calls = Math.ceil(SMOKE.warmup / 4) + SMOKE.calls;
    expect(r.coreReceived).toEqual({ REGISTER: 2 * registrations, INVITE: calls, ACK: calls, BYE: calls });
    expect(r.profile?.samples).toBeGreaterThan(0);
    const parse = r.callsPerOp?.find((c) => c.name === 'parseMessage sip/parser/parse-message.ts');
    // Each registration: two REGISTERs from the client, the 401 and the 200 from the core.
    expect(parse?.perRegistration).toBe(4);
    const text = formatForwardingCpu(r);
    expect(text).toContain('REGISTER pair (401 + 200)');
    expect(text).toContain('call (INVITE + BYE, ACK)');
    expect(text).toMatch(/REGISTER pair \(8 messages\) \| +\d+\.\d\dx/);
  }, 120_000);

  it('[DESIGN-speed-forwarding_cpu_media] with --media, anchors every call in a real rtpengine through the eIMS-AGW and reports the call with its media control', async () => {
    const r = await runForwardingCpu({ ...SMOKE, floor: false, media: true });
    expect(r.failures).toEqual([]);
    expect(r.media).toMatch(/^rtpengine /);
    expect(r.call.failures).toBe(0);
    expect(r.call.cpuUsPerOp).toBeGreaterThan(0);
    const text = formatForwardingCpu(r);
    expect(text).toContain('call, media in rtpengine');
    expect(text).toContain('media: every call anchored in rtpengine');
  }, 120_000);
});

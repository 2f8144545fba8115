import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEpCscfMetrics } from './metrics.ts';

describe('eP-CSCF metrics', () => {
  it('[DESIGN-speed-metrics_children] MUST count requests and final responses per method, side and status as scraped, with unknown methods under one label', async () => {
    const registry = new Registry();
    const m = createEpCscfMetrics(registry, async () => 7);
    for (let i = 0; i < 3; i++) m.countRequest('REGISTER', 'client');
    m.countRequest('INVITE', 'core');
    m.countRequest('FOO', 'client');
    m.countRequest('BAR', 'client');
    m.countResponse('REGISTER', 200);
    m.countResponse('REGISTER', 200);
    m.countResponse('REGISTER', 401);
    m.observeTransaction('REGISTER', 0.003);
    m.observeTransaction('REGISTER', 0.2);
    let text = await registry.metrics();
    expect(text).toContain('epcscf_requests_total{method="REGISTER",side="client"} 3');
    expect(text).toContain('epcscf_requests_total{method="INVITE",side="core"} 1');
    expect(text).toContain('epcscf_requests_total{method="other",side="client"} 2');
    expect(text).not.toContain('FOO');
    expect(text).toContain('epcscf_responses_total{method="REGISTER",status="200"} 2');
    expect(text).toContain('epcscf_responses_total{method="REGISTER",status="401"} 1');
    expect(text).toContain('epcscf_transaction_seconds_count{method="REGISTER"} 2');
    expect(text).toContain('epcscf_transaction_seconds_bucket{le="0.005",method="REGISTER"} 1');
    // the registered contacts are counted when scraped
    expect(text).toContain('epcscf_registrations 7');
    // counts after a scrape add up, none is counted twice
    m.countRequest('REGISTER', 'client');
    text = await registry.metrics();
    expect(text).toContain('epcscf_requests_total{method="REGISTER",side="client"} 4');
    expect(text).toContain('epcscf_responses_total{method="REGISTER",status="200"} 2');
  });
});

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEimsAgwMetrics } from './metrics.ts';

describe('eIMS-AGW metrics', () => {
  it('[DESIGN-speed-metrics_children] counts NG exchanges per command and result as scraped, none twice, and times them per command', async () => {
    const registry = new Registry();
    const m = createEimsAgwMetrics(registry, { instances: () => [], activeCalls: () => 0 });
    const address = '127.0.0.1:2223';
    for (let i = 0; i < 3; i++) m.observe({ address, command: 'offer', result: 'ok', seconds: 0.0004 });
    m.observe({ address, command: 'offer', result: 'timeout', seconds: 1.5 });
    m.observe({ address, command: 'delete', result: 'ok', seconds: 0.002 });
    let text = await registry.metrics();
    expect(text).toContain('eimsagw_ng_requests_total{command="offer",result="ok"} 3');
    expect(text).toContain('eimsagw_ng_requests_total{command="offer",result="timeout"} 1');
    expect(text).toContain('eimsagw_ng_requests_total{command="delete",result="ok"} 1');
    expect(text).toContain('eimsagw_ng_request_seconds_count{command="offer"} 4');
    expect(text).toContain('eimsagw_ng_request_seconds_bucket{le="0.0005",command="offer"} 3');
    m.observe({ address, command: 'offer', result: 'ok', seconds: 0.0004 });
    text = await registry.metrics();
    expect(text).toContain('eimsagw_ng_requests_total{command="offer",result="ok"} 4');
    expect(text).toContain('eimsagw_ng_requests_total{command="delete",result="ok"} 1');
  });
});

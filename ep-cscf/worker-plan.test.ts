import { describe, expect, it } from 'vitest';
import { planWorkers } from './worker-plan.ts';

/** A valid environment for two workers; each test breaks one thing. */
const TWO = {
  EP_CSCF_WORKERS: '2',
  SIP_WS_PORT: '8443',
  SIP_PORT: '5060',
  DATABASE_FILE: 'data/x.sqlite',
} as const;

function keys(env: Record<string, string>, cpus = 2): string[] {
  const plan = planWorkers(env, cpus);
  return plan.ok ? [] : plan.issues.map((issue) => issue.key);
}

describe('eP-CSCF workers: the plan EP_CSCF_WORKERS makes', () => {
  it('[DESIGN-workers-config] MUST keep the eP-CSCF in the process by default, without asking for SIP_WS_PORT or a file directory', () => {
    expect(planWorkers({ DATABASE_FILE: ':memory:', SIP_PORT: '0' }, 8)).toEqual({
      ok: true,
      config: { count: 1, sipPort: 0, sipTlsPort: 5061, wsPort: undefined },
    });
  });

  it('[DESIGN-workers-config] MUST resolve `auto` to one worker per CPU, and a one-CPU `auto` to the single process', () => {
    expect(planWorkers({ ...TWO, EP_CSCF_WORKERS: 'auto' }, 4)).toMatchObject({
      ok: true,
      config: { count: 4 },
    });
    expect(planWorkers({ EP_CSCF_WORKERS: 'auto' }, 1)).toMatchObject({ ok: true, config: { count: 1 } });
    expect(planWorkers(TWO, 1)).toEqual({
      ok: true,
      config: { count: 2, sipPort: 5060, sipTlsPort: 5061, wsPort: 8443 },
    });
  });

  it('[DESIGN-workers-config] MUST refuse more than one worker without SIP_WS_PORT, naming it', () => {
    const plan = planWorkers({ ...TWO, SIP_WS_PORT: '' }, 2);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.issues).toEqual([
      {
        key: 'SIP_WS_PORT',
        message: expect.stringContaining('SIP_WS_PORT is required with EP_CSCF_WORKERS=2'),
      },
    ]);
  });

  it('[DESIGN-workers-config] MUST refuse a SIP_PORT that is 0 or leaves no room for SIP_PORT+i', () => {
    expect(keys({ ...TWO, SIP_PORT: '0' })).toEqual(['SIP_PORT']);
    expect(keys({ ...TWO, EP_CSCF_WORKERS: '3', SIP_PORT: '65534' })).toEqual(['SIP_PORT']);
    expect(keys({ ...TWO, SIP_PORT: '65534' })).toEqual([]);
  });

  it('[DESIGN-workers-config] MUST refuse ports that collide with a worker Mw port (WebSocket, HTTP, lab core, TLS range)', () => {
    expect(keys({ ...TWO, SIP_WS_PORT: '5061' })).toEqual(['SIP_WS_PORT']);
    expect(keys({ ...TWO, SIP_WS_PORT: '8080' })).toEqual(['SIP_WS_PORT']);
    expect(keys({ ...TWO, HTTP_PORT: '5061' })).toEqual(['HTTP_PORT']);
    expect(keys({ ...TWO, EP_CSCF_WORKERS: '12' })).toEqual(['LAB_CORE_PORT']);
    expect(keys({ ...TWO, EP_CSCF_WORKERS: '12', IMS_CORE_URI: 'sip:10.0.0.5' })).toEqual([]);
    // With TLS, worker i also binds SIP_TLS_PORT+i: 5061-5062 overlaps 5060-5061.
    expect(keys({ ...TWO, TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' })).toEqual(['SIP_TLS_PORT']);
    expect(keys({ ...TWO, TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem', SIP_TLS_PORT: '5062' })).toEqual([]);
  });

  it('[DESIGN-workers-config] MUST refuse DATABASE_FILE=:memory: with workers (each would get an empty directory), unless DATABASE_URL is set', () => {
    const plan = planWorkers({ ...TWO, DATABASE_FILE: ':memory:' }, 2);
    expect(plan.ok ? [] : plan.issues).toEqual([
      { key: 'DATABASE_FILE', message: expect.stringContaining('cannot be shared by 2 workers') },
    ]);
    expect(keys({ ...TWO, DATABASE_FILE: ':memory:', DATABASE_URL: 'postgres://db.example/ims' })).toEqual(
      [],
    );
  });

  it('[DESIGN-workers-config] MUST report a malformed EP_CSCF_WORKERS or SIP_WS_PORT by name', () => {
    expect(keys({ ...TWO, EP_CSCF_WORKERS: 'many' })).toEqual(['EP_CSCF_WORKERS']);
    expect(keys({ ...TWO, SIP_WS_PORT: '0' })).toEqual(['SIP_WS_PORT']);
  });
});

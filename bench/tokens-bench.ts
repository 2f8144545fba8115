/**
 * The web-credential benchmark (issue #5): how many access tokens the WAF issues per second
 * (client_credentials, over HTTP, the product started as `npm start` starts it with only the
 * WAF role, pinned to one CPU), and how many bearer tokens per second the eP-CSCF's validator
 * (token/validator.ts, JWKS mode) checks on one core: tokens seen for the first time (signature
 * verified) and tokens seen again (a refresh REGISTER with the same token: the result cache).
 * The reference beside it is `jose`'s own `jwtVerify` on the same tokens with the same keys: the
 * floor of what any JWT check costs in Node.js, so the ratio shows what our checks add.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { createLogger } from '../app/logger.ts';
import {
  createTempDir,
  type PeerProcess,
  PortAllocator,
  startProcess,
} from '../conformance/harness/index.ts';
import { IMS_AUDIENCE } from '../token/claims.ts';
import { createTokenValidator } from '../token/validator.ts';
import { cpuSeconds, groupPids, pinProcess } from './sut/proc-stats.ts';
import { pinnedCommand } from './sut/system.ts';

export interface TokensBenchOptions {
  readonly mode: 'full' | 'smoke';
  readonly log: (line: string) => void;
}

export interface IssuanceResult {
  readonly concurrency: number;
  readonly seconds: number;
  readonly issued: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU seconds the WAF process used per 1,000 tokens */
  readonly cpuSecondsPer1k: number;
}

export interface ValidationResult {
  readonly tokens: number;
  /** the WAF's signing algorithm (the tokens' `alg`) */
  readonly alg: string;
  /** validations per second on one core: ours first sight, ours cached, jose alone */
  readonly oursFirstSight: number;
  readonly oursCached: number;
  readonly jose: number;
  /** all validations answered valid */
  readonly allValid: boolean;
}

export interface TokensBenchResult {
  readonly mode: 'full' | 'smoke';
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly placement: string;
  readonly issuance: IssuanceResult;
  readonly validation: ValidationResult;
  /** the process group of the WAF it started (gone when the run ends) */
  readonly wafProcessGroup: number;
  readonly warnings: readonly string[];
}

const REPO = fileURLToPath(new URL('../', import.meta.url));
const START = fileURLToPath(new URL('../bin/start.ts', import.meta.url));
const CLIENT = { id: 'bench', secret: 'bench-client-secret-0123456789' };

interface Plan {
  readonly concurrency: number;
  readonly issueSeconds: number;
  readonly tokens: number;
  readonly validationMs: number;
}

const PLANS: Record<TokensBenchOptions['mode'], Plan> = {
  full: { concurrency: 32, issueSeconds: 10, tokens: 5000, validationMs: 3000 },
  smoke: { concurrency: 2, issueSeconds: 1, tokens: 50, validationMs: 200 },
};

async function startWafProcess(
  ports: PortAllocator,
  dir: string,
  cpu: number | undefined,
): Promise<{ peer: PeerProcess; issuer: string }> {
  const clientsFile = join(dir, 'clients.json');
  writeFileSync(
    clientsFile,
    JSON.stringify([
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        grant_types: ['client_credentials'],
        role: 'user',
        domain: 'ims.lab',
      },
    ]),
  );
  const port = await ports.tcp();
  const origin = `http://${ports.host}:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ROLES: 'waf',
    HTTP_HOST: ports.host,
    HTTP_PORT: String(port),
    DATABASE_FILE: ':memory:',
    DIRECTORY_SEED: 'lab',
    WAF_CLIENTS_FILE: clientsFile,
    WAF_ISSUER: `${origin}/oauth`,
    LOG_LEVEL: 'warn',
  };
  const cmd = pinnedCommand(cpu, process.execPath, ['--import', 'tsx', START]);
  const peer = await startProcess({
    name: 'WAF',
    command: cmd.command,
    args: cmd.args,
    cwd: REPO,
    env: { ...env, LOG_LEVEL: 'info' },
    readiness: { kind: 'log', pattern: /listening on/ },
    readyTimeoutMs: 60_000,
    stopGraceMs: 10_000,
    cleanup: () => ports.release(port),
  });
  return { peer, issuer: `${origin}/oauth` };
}

async function requestToken(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
    },
    body: `grant_type=client_credentials&scope=ims&resource=${encodeURIComponent(IMS_AUDIENCE)}`,
  });
  const body = (await response.json()) as { access_token?: unknown; error?: unknown };
  if (response.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`token request answered ${response.status} ${JSON.stringify(body.error)}`);
  return body.access_token;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measureIssuance(issuer: string, pids: () => number[], plan: Plan): Promise<IssuanceResult> {
  const latencies: number[] = [];
  let failed = 0;
  const cpu0 = cpuSeconds(pids());
  const t0 = performance.now();
  const until = t0 + plan.issueSeconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const s = performance.now();
      try {
        await requestToken(issuer);
        latencies.push(performance.now() - s);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, loop));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pids()) - cpu0;
  latencies.sort((a, b) => a - b);
  return {
    concurrency: plan.concurrency,
    seconds: Math.round(seconds * 100) / 100,
    issued: latencies.length,
    failed,
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    cpuSecondsPer1k: latencies.length === 0 ? 0 : Math.round((cpu / latencies.length) * 1000 * 1000) / 1000,
  };
}

/** Runs `check` over the tokens, round after round, for about `ms`; checks per second. */
async function rate(tokens: readonly string[], ms: number, check: (t: string) => Promise<boolean>) {
  let done = 0;
  let valid = true;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const t of tokens) {
      if (!(await check(t))) valid = false;
      done++;
    }
  }
  return { perSecond: Math.round(done / ((performance.now() - t0) / 1000)), valid };
}

async function measureValidation(issuer: string, plan: Plan): Promise<ValidationResult> {
  const tokens: string[] = [];
  while (tokens.length < plan.tokens) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(32, plan.tokens - tokens.length) }, () => requestToken(issuer)),
    );
    tokens.push(...batch);
  }
  const logger = createLogger({ level: 'silent' });
  const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet;
  const localKeys = createLocalJWKSet(jwks);
  const jose = (t: string) =>
    jwtVerify(t, localKeys, { issuer, audience: IMS_AUDIENCE, typ: 'at+jwt' }).then(
      () => true,
      () => false,
    );
  // First sight: no result cache, so every check verifies the signature and reads the claims.
  const uncached = createTokenValidator({
    issuer: () => issuer,
    audience: IMS_AUDIENCE,
    mode: 'jwks',
    cacheMs: 0,
    logger,
  });
  const cached = createTokenValidator({ issuer: () => issuer, audience: IMS_AUDIENCE, mode: 'jwks', logger });
  const ours = (v: typeof cached) => (t: string) => v.validate(t).then((r) => r.ok);
  // Warm-up: JWKS fetched, JIT warm, the cache filled.
  await rate(tokens, plan.validationMs / 4, ours(uncached));
  await rate(tokens, plan.validationMs / 4, ours(cached));
  await rate(tokens, plan.validationMs / 4, jose);
  const a = await rate(tokens, plan.validationMs, ours(uncached));
  const b = await rate(tokens, plan.validationMs, ours(cached));
  const c = await rate(tokens, plan.validationMs, jose);
  return {
    tokens: tokens.length,
    alg: String(decodeProtectedHeader(tokens[0] ?? '').alg),
    oursFirstSight: a.perSecond,
    oursCached: b.perSecond,
    jose: c.perSecond,
    allValid: a.valid && b.valid && c.valid,
  };
}

export async function runTokensBench(o: TokensBenchOptions): Promise<TokensBenchResult> {
  const plan = PLANS[o.mode];
  const warnings: string[] = [];
  let sutCpu: number | undefined;
  if (os.cpus().length >= 2) {
    try {
      pinProcess(process.pid, 0);
      sutCpu = 1;
    } catch (err) {
      warnings.push(`taskset failed (${err instanceof Error ? err.message : String(err)}): nothing pinned`);
    }
  } else warnings.push('fewer than 2 CPUs: nothing pinned');
  const ports = await PortAllocator.open();
  const dir = createTempDir('bench-tokens-');
  let waf: PeerProcess | undefined;
  try {
    o.log('starting the product with the WAF role only');
    const started = await startWafProcess(ports, dir.path, sutCpu);
    waf = started.peer;
    const pgid = waf.pid;
    o.log(`started WAF (process group ${pgid})`);
    o.log(
      `issuing client_credentials tokens for ${plan.issueSeconds} s, ${plan.concurrency} requests in flight`,
    );
    const issuance = await measureIssuance(started.issuer, () => groupPids(pgid), plan);
    o.log(`validating ${plan.tokens} distinct tokens in this process (one core)`);
    const validation = await measureValidation(started.issuer, plan);
    return {
      mode: o.mode,
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      placement:
        sutCpu === undefined
          ? 'not pinned'
          : `WAF on CPU ${sutCpu} (taskset); HTTP load generator and validator on CPU 0`,
      issuance,
      validation,
      wafProcessGroup: pgid,
      warnings,
    };
  } finally {
    await waf?.stop();
    dir.remove();
    await ports.close();
  }
}

export function formatTokensReport(r: TokensBenchResult): string {
  const v = r.validation;
  const i = r.issuance;
  const ratio = (x: number) => (v.jose === 0 ? 'n/a' : `${(x / v.jose).toFixed(2)}x`);
  return [
    `web credentials (${r.mode}): Node ${r.node}, ${r.cpus} CPUs (${r.cpuModel}); ${r.placement}`,
    '',
    '| bearer validation, one core | ours (token/validator.ts) | jose jwtVerify alone | ours / jose |',
    '|---|---|---|---|',
    `| first sight (signature + claims) | ${v.oursFirstSight}/s | ${v.jose}/s | ${ratio(v.oursFirstSight)} |`,
    `| seen again (refresh, cached result) | ${v.oursCached}/s | ${v.jose}/s | ${ratio(v.oursCached)} |`,
    '',
    `target >= 20,000/s per core: first sight ${v.oursFirstSight >= 20_000 ? 'met' : 'missed'}, cached ${v.oursCached >= 20_000 ? 'met' : 'missed'}; ${v.tokens} distinct ${v.alg} WAF tokens, all valid: ${v.allValid}`,
    '',
    '| token issuance (client_credentials over HTTP) | figure |',
    '|---|---|',
    `| tokens/s | ${i.perSecond} (${i.issued} issued, ${i.failed} failed, ${i.concurrency} in flight, ${i.seconds} s) |`,
    `| latency p50 / p99 | ${i.p50Ms} ms / ${i.p99Ms} ms |`,
    `| WAF CPU per 1,000 tokens | ${i.cpuSecondsPer1k} s |`,
    ...(r.warnings.length > 0 ? ['', ...r.warnings.map((w) => `warning: ${w}`)] : []),
  ].join('\n');
}

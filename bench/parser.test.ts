import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENDERS, type Contender, verify } from './contenders.ts';
import { DEFAULT_VECTORS, loadMessages } from './fixtures.ts';
import { measure } from './measure.ts';
import { runParserBench } from './parser-bench.ts';

/**
 * Smoke tests of the parser benchmark: it runs in a tiny mode (100 iterations per batch,
 * 3 rounds) and must produce a figure for every parser and message. No test looks at how fast
 * anything is.
 */

const MESSAGES = ['register', 'invite', 'ok'];
const PARSERS = ['ours', 'ours+typed', 'ours+via', 'npm-sip', 'sip.js', 'jssip'];

describe('bench:parser', () => {
  it('[DESIGN-speed-parser_bench] times every parser on every benchmark message and gives a ratio per message', () => {
    const r = runParserBench({ mode: 'smoke' });
    expect(r.cells.map((c) => `${c.message} ${c.contender}`).sort()).toEqual(
      MESSAGES.flatMap((m) => PARSERS.map((p) => `${m} ${p}`)).sort(),
    );
    for (const c of r.cells) {
      expect(c.opsPerSec, `${c.message} ${c.contender}`).toBeGreaterThan(0);
      expect(Number.isFinite(c.nsPerOp), `${c.message} ${c.contender}`).toBe(true);
      expect(c.iterations).toBe(100);
      expect(c.rounds).toBe(3);
      // Every parser writes a whole message back (a few octets of spacing may differ).
      expect(Math.abs(c.bytesOut - c.bytesIn), `${c.message} ${c.contender}`).toBeLessThan(64);
    }
    expect(r.ratios.map((x) => x.message)).toEqual(MESSAGES);
    for (const x of r.ratios) {
      expect(['npm-sip', 'sip.js', 'jssip']).toContain(x.best);
      expect(Number.isFinite(x.ours) && x.ours > 0).toBe(true);
      expect(Number.isFinite(x.oursTyped) && x.oursTyped > 0).toBe(true);
    }
    expect(r.machine.node).toBe(process.version);
  });

  it('[DESIGN-speed-parser_bench_verified] every competitor reads each message as ours does and writes it back intact', () => {
    for (const m of loadMessages())
      for (const c of CONTENDERS) expect(verify(c, m.bytes), `${c.id} on ${m.id}`).toEqual([]);
  });

  it('[DESIGN-speed-parser_bench_verified] refuses to time a parser that misreads a message', () => {
    const npmSip = CONTENDERS.find((c) => c.id === 'npm-sip')!;
    const misreads: Contender = {
      ...npmSip,
      facts: (buf) => {
        const f = npmSip.facts(buf);
        return typeof f === 'string' ? f : { ...f, callId: `${f.callId}x` };
      },
    };
    const breaks: Contender = { ...npmSip, run: (buf) => buf.subarray(0, 40) };
    const [first] = loadMessages();
    expect(verify(misreads, first!.bytes)).toEqual([expect.stringMatching(/^callId is /)]);
    expect(verify(breaks, first!.bytes)).toEqual([expect.stringMatching(/output does not parse/)]);
    expect(() => runParserBench({ mode: 'smoke', contenders: [CONTENDERS[0]!, misreads] })).toThrow(
      /npm-sip on register: callId is/,
    );
  });
});

describe('bench fixtures', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-vectors-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('[DESIGN-speed-parser_fixtures] builds each message from its JsSIP header section and the shared SDP vector', () => {
    const messages = loadMessages();
    expect(messages.map((m) => m.id)).toEqual(MESSAGES);
    const invite = messages.find((m) => m.id === 'invite')!;
    expect(invite.bytes.toString('latin1')).toMatch(/^INVITE sip:\S+ SIP\/2\.0\r\n/);
    expect(invite.bytes.toString('latin1')).toMatch(/\r\nUser-Agent: JsSIP [\d.]+\r\n/);
    expect(invite.bytes.toString('latin1')).toMatch(/\r\n\r\nv=0\r\n/);
    expect(invite.origin).toContain('../shared/vectors/sdp/aiortc/audio_chrome.sdp');
    const ok = messages.find((m) => m.id === 'ok')!.bytes.toString('latin1');
    expect(ok.match(/\r\nVia: /g)).toHaveLength(6);
    expect(ok.match(/\r\nRecord-Route: /g)).toHaveLength(5);
  });

  it('[DESIGN-speed-parser_fixtures] refuses a message whose Content-Length does not match its SDP vector', () => {
    for (const rel of ['sdp/aiortc/audio_chrome.sdp', 'sdp/sdp-transform/jssip.sdp']) {
      const to = path.join(tmp, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(fileURLToPath(new URL(rel, DEFAULT_VECTORS)), to);
    }
    const vectors = pathToFileURL(`${tmp}/`);
    expect(loadMessages(vectors)).toHaveLength(3);
    writeFileSync(path.join(tmp, 'sdp/aiortc/audio_chrome.sdp'), 'v=0\r\n');
    expect(() => loadMessages(vectors)).toThrow(
      /invite-jssip-chrome\.sip: Content-Length 1782 does not match/,
    );
  });
});

describe('measure', () => {
  it('[DESIGN-speed-parser_rounds] runs every cell once per round in a rotating order and keeps the median', () => {
    const order: string[] = [];
    let t = 0n;
    // A scripted clock: every call advances 1 us, so a batch of n ops "takes" 1 us whatever n is.
    const now = (): bigint => {
      t += 1000n;
      return t;
    };
    const cells = ['a', 'b', 'c'].map((key) => ({
      key,
      op: (): number => {
        order.push(key);
        return 10;
      },
    }));
    const timings = measure(cells, { rounds: 4, warmupMs: 0, batchMs: 0, iterations: 2, now });
    // Warm-up batch per cell, then 4 rounds; each cell runs 2 ops per batch.
    expect(order.slice(0, 6).join('')).toBe('aabbcc');
    const rounds = order.slice(6).filter((_, i) => i % 2 === 0);
    expect(rounds.join('')).toBe('abc' + 'acb' + 'cab' + 'cba');
    for (const timing of timings) {
      expect(timing.samples).toHaveLength(4);
      expect(timing.opsPerSec).toBe(2e6);
      expect(timing.spread).toBe(0);
      expect(timing.bytesPerOp).toBe(10);
    }
  });
});

describe('npm run bench:parser', () => {
  it('[DESIGN-speed-parser_bench] prints the machine, a row per parser and message, and the ratios', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const tsx = path.join(root, 'node_modules/.bin/tsx');
    const { stdout } = await promisify(execFile)(tsx, ['bench/parser.ts', '--smoke', '--rounds', '1'], {
      cwd: root,
    });
    expect(stdout).toMatch(/^machine: .+ \(\d+ cores\), node v\d+\.\d+\.\d+, V8 /);
    for (const m of MESSAGES)
      for (const p of PARSERS)
        expect(stdout).toMatch(new RegExp(`\\| ${m} +\\| ${p.replace('+', '\\+')} +\\| +[\\d,]+ \\|`));
    for (const m of MESSAGES)
      expect(stdout).toMatch(new RegExp(`\\| ${m} +\\| (npm-sip|sip\\.js|jssip) +\\| +\\d+\\.\\d\\dx \\|`));
  }, 60_000);
});

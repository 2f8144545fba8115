/**
 * Where our parser spends its time: runs `serialize(parseMessage(buf))` on the benchmark
 * messages under V8's sampling CPU profiler (the one behind `node --cpu-prof`, driven here
 * through node:inspector so that no flag has to reach the process through tsx) and prints the
 * top functions by self time and by total time.
 *
 * Usage: npx tsx bench/parser-profile.ts [--message register|invite|ok] [--seconds 6] [--top 20]
 *        [--save file.cpuprofile]   (the raw profile, for Chrome DevTools or speedscope)
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseMessage, serialize } from '../sip/index.ts';
import { loadMessages } from './fixtures.ts';
import { table } from './report.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  self: number;
  total: number;
}

/** Self and total share of the samples per function (name + file + line), largest self first. */
export function summarise(profile: CpuProfile): FunctionCost[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode): string => {
    const f = n.callFrame;
    const name = f.functionName === '' ? '(anonymous)' : f.functionName;
    if (f.url === '') return name;
    const file = f.url.startsWith('file://') ? path.relative(process.cwd(), fileURLToPath(f.url)) : f.url;
    // tsx emits each module on one line, so a line number inside a .ts file says nothing.
    return file.endsWith('.ts') ? `${name} ${file}` : `${name} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const id of profile.samples) {
    const leaf = byId.get(id);
    if (leaf === undefined) continue;
    const key = label(leaf);
    self.set(key, (self.get(key) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n !== undefined; n = byId.get(parent.get(n.id) ?? -1)) {
      const k = label(n);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + 1);
    }
  }
  const count = profile.samples.length || 1;
  return [...total.keys()]
    .map((name) => ({ name, self: (self.get(name) ?? 0) / count, total: (total.get(name) ?? 0) / count }))
    .sort((a, b) => b.self - a.self || b.total - a.total);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      message: { type: 'string' },
      seconds: { type: 'string', default: '6' },
      top: { type: 'string', default: '20' },
      save: { type: 'string' },
    },
  });
  const messages = loadMessages().filter((m) => values.message === undefined || m.id === values.message);
  if (messages.length === 0) throw new Error(`no benchmark message '${values.message}'`);
  const seconds = Number(values.seconds);
  const top = Number(values.top);
  const opts = { framing: 'datagram' } as const;
  const loop = (ms: number): number => {
    let bytes = 0;
    const end = Date.now() + ms;
    while (Date.now() < end)
      for (let k = 0; k < 200; k++)
        for (const m of messages) {
          const r = parseMessage(m.bytes, opts);
          if (!r.ok) throw new Error(`${m.id}: ${r.fault.reason}`);
          bytes += serialize(r.message).length;
        }
    return bytes;
  };
  loop(1000); // warm-up: profile optimised code, not the interpreter

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  loop(seconds * 1000);
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  if (values.save !== undefined) writeFileSync(values.save, JSON.stringify(profile));

  const costs = summarise(profile);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  process.stdout.write(
    `profile of serialize(parseMessage(buf)) on ${messages.map((m) => m.id).join(', ')}: ` +
      `${profile.samples.length} samples at 100 us, node ${process.version}\n\n`,
  );
  const rows = costs.slice(0, top).map((c) => [pct(c.self), pct(c.total), c.name]);
  process.stdout.write(`${table(['self', 'total', 'function'], rows, [true, true, false]).join('\n')}\n`);
}

await main();

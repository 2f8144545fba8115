/**
 * Reads a V8 CPU profile (`node --cpu-prof` writes one per process on exit) and says where the
 * busy time went: self and total share per function, and self share per area of the code
 * (our folders, `ws`, Node internals, the garbage collector). Idle samples are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** microseconds on the monotonic clock (the one process.hrtime reads on Linux) */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of the monotonic clock, in microseconds (process.hrtime.bigint() / 1000). */
export interface TimeWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

export interface FunctionCost {
  readonly name: string;
  readonly self: number;
  readonly total: number;
}

export interface ProfileSummary {
  /** busy samples (idle excluded) */
  readonly samples: number;
  readonly functions: readonly FunctionCost[];
  readonly areas: readonly { readonly area: string; readonly self: number }[];
}

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** The first .cpuprofile file in a directory. */
export function readProfileDir(dir: string): CpuProfile {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile written in ${dir}`);
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
}

function fileOf(url: string): string {
  if (url.startsWith('file://')) return path.relative(REPO, fileURLToPath(url));
  return url;
}

/** Where a function lives: a folder of ours (two levels), a package, node internals, or V8. */
export function areaOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const file = fileOf(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg !== null) return `npm ${pkg[1]}`;
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : (parts[0] ?? file);
}

function label(n: ProfileNode): string {
  const f = n.callFrame;
  const name = f.functionName === '' ? '(anonymous)' : f.functionName;
  if (f.url === '') return name;
  const file = fileOf(f.url);
  // tsx emits each module on one line, so a line number inside a .ts file says nothing.
  return file.endsWith('.ts') ? `${name} ${file}` : `${name} ${file}:${f.lineNumber + 1}`;
}

/** Summarises the samples taken inside `window` (all of them when absent). */
export function summariseProfile(profile: CpuProfile, window?: TimeWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window !== undefined && (at < window.fromUs || at > window.toUs)) continue;
    const leaf = byId.get(profile.samples[i] ?? -1);
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
    busy++;
    const key = label(leaf);
    self.set(key, (self.get(key) ?? 0) + 1);
    const area = areaOf(leaf.callFrame.url, leaf.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n !== undefined; n = byId.get(parent.get(n.id) ?? -1)) {
      const k = label(n);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + 1);
    }
  }
  const count = busy || 1;
  return {
    samples: busy,
    functions: [...total.keys()]
      .map((name) => ({ name, self: (self.get(name) ?? 0) / count, total: (total.get(name) ?? 0) / count }))
      .sort((a, b) => b.self - a.self || b.total - a.total),
    areas: [...areas.entries()]
      .map(([area, n]) => ({ area, self: n / count }))
      .sort((a, b) => b.self - a.self),
  };
}

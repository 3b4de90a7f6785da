/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and — given the bundle
 * the profiled process ran — time by area (package or source folder), as self time and by calling area.
 *   node --import tsx bench/cpuprofile.ts FILE.cpuprofile [N] [BUNDLE.js]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isMain } from './util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface SelfTime { fn: string; where: string; ms: number; share: number }

/** Samples [from, to) ms after the profile's start, or all. */
export type Window = [fromMs: number, toMs: number] | undefined;

function* samples(p: Profile, window: Window): Generator<[id: number, us: number]> {
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t / 1000 < window[0] || t / 1000 >= window[1])) continue;
    yield [p.samples[i], dt];
  }
}

/** Self time per function (summed over every call site), largest first. */
export function topSelfTime(file: string, n = 15, root = process.cwd(), window?: Window): { total: number; top: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (const [id, dt] of samples(p, window)) {
    const node = byId.get(id);
    if (!node) continue;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    const where = url ? `${shorten(url, root)}:${lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const e = self.get(key) ?? { fn, where, us: 0 };
    e.us += dt;
    self.set(key, e);
  }
  const top = [...self.values()].sort((a, b) => b.us - a.us).slice(0, n)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, share: total ? e.us / total : 0 }));
  return { total: total / 1000, top };
}

interface Areas {
  profile: Profile;
  byId: Map<number, ProfileNode>;
  parent: Map<number, number>;
  /** The area of a frame of the bundle or of a WebAssembly module, else null (Node, native, V8's own). */
  codeArea(node: ProfileNode): string | null;
  /** The area of a frame: its code area, else Node internals, native calls, GC and idle by name. */
  area(node: ProfileNode): string;
}

/**
 * Where code comes from: packages and source folders inside an esbuild bundle (found from the
 * `// node_modules/pkg/...` and `// daemon/...` path comments esbuild writes), WASM modules by the bundled package
 * whose JavaScript calls into them, Node's own internals, native calls, GC and idle.
 */
function areasOf(file: string, bundle: string): Areas {
  const ranges: Array<[line: number, area: string]> = [];
  readFileSync(bundle, 'utf8').split('\n').forEach((line, i) => {
    const m = /^\/\/ ((?:node_modules\/(?:@[^/]+\/)?[^/]+)|(?:[^/\s]+\/[^/\s]+))/.exec(line);
    if (m && ranges.at(-1)?.[1] !== m[1]) ranges.push([i + 1, m[1].replace(/\.ts$/, '')]);
  });
  const areaOfLine = (line: number): string => {
    let lo = 0, hi = ranges.length - 1, found = 'bundle (other)';
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (ranges[mid][0] <= line) { found = ranges[mid][1]; lo = mid + 1; } else hi = mid - 1; }
    return found;
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const bundleName = bundle.split('/').pop()!;
  // A WebAssembly module is named after the bundled package whose JavaScript calls into it.
  const wasmNames = new Map<string, string>();
  const wasmName = (node: ProfileNode): string => {
    const url = node.callFrame.url;
    let name = wasmNames.get(url);
    if (name) return name;
    for (let id = parent.get(node.id); id !== undefined; id = parent.get(id)) {
      const up = byId.get(id)!;
      if (up.callFrame.url.endsWith(bundleName)) { name = `${areaOfLine(up.callFrame.lineNumber + 1)} (WebAssembly)`; break; }
    }
    name ??= `WebAssembly ${url.slice('wasm://wasm/'.length)}`;
    wasmNames.set(url, name);
    return name;
  };
  const codeArea = (node: ProfileNode): string | null => {
    const url = node.callFrame.url;
    if (url.endsWith(bundleName)) return areaOfLine(node.callFrame.lineNumber + 1);
    if (url.startsWith('wasm://')) return wasmName(node);
    return null;
  };
  const area = (node: ProfileNode): string => {
    const code = codeArea(node);
    if (code) return code;
    const { url, functionName } = node.callFrame;
    if (url.includes('deps/undici')) return 'undici (Node\'s fetch, Response, Headers)';
    if (url.startsWith('node:')) return 'Node internals (http, streams, events, modules)';
    if (!url) return functionName.startsWith('(') ? functionName : `native: ${functionName}`;
    return url;
  };
  return { profile, byId, parent, codeArea, area };
}

function byShare(totals: Map<string, number>, total: number): Array<{ area: string; ms: number; share: number }> {
  return [...totals].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: us / 1000, share: total ? us / total : 0 }));
}

/** Self time grouped by area (see areasOf). */
export function selfTimeByArea(file: string, bundle: string, window?: Window): { total: number; areas: Array<{ area: string; ms: number; share: number }> } {
  const a = areasOf(file, bundle);
  const totals = new Map<string, number>();
  let total = 0;
  for (const [id, dt] of samples(a.profile, window)) {
    const node = a.byId.get(id);
    if (!node) continue;
    total += dt;
    const area = a.area(node);
    totals.set(area, (totals.get(area) ?? 0) + dt);
  }
  return { total: total / 1000, areas: byShare(totals, total) };
}

/** Time in Node's own code (or a native call) that no code of the bundle is on the stack for. */
export const EVENT_LOOP_AREA = 'Node, from the event loop (socket reads, HTTP parsing, timers, promise jobs)';

/**
 * Time charged to the innermost code of the bundle on the stack: a sample in Node's internals or a native call
 * (a socket write, the worker's postMessage, an fsync) counts for the package or source folder that called it, so
 * each area carries the Node work it caused. Samples with no bundle code on the stack are EVENT_LOOP_AREA; GC,
 * idle and V8's own (program) stay by themselves.
 */
export function timeByCaller(file: string, bundle: string, window?: Window): { total: number; areas: Array<{ area: string; ms: number; share: number }> } {
  const a = areasOf(file, bundle);
  const totals = new Map<string, number>();
  let total = 0;
  for (const [id, dt] of samples(a.profile, window)) {
    const node = a.byId.get(id);
    if (!node) continue;
    total += dt;
    let area: string | null = null;
    if (node.callFrame.url || !node.callFrame.functionName.startsWith('(')) {
      for (let k: number | undefined = id; k !== undefined && area === null; k = a.parent.get(k)) area = a.codeArea(a.byId.get(k)!);
      area ??= EVENT_LOOP_AREA;
    } else {
      area = node.callFrame.functionName; // (idle), (garbage collector), (program)
    }
    totals.set(area, (totals.get(area) ?? 0) + dt);
  }
  return { total: total / 1000, areas: byShare(totals, total) };
}

function shorten(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(root, path) : path;
}

if (isMain('cpuprofile')) {
  const [file, n, bundle] = process.argv.slice(2);
  if (!file) { console.error('usage: bench/cpuprofile.ts FILE.cpuprofile [N] [BUNDLE.js]'); process.exit(2); }
  if (bundle) {
    for (const [what, f] of [['self time by area', selfTimeByArea], ['time by calling area', timeByCaller]] as const) {
      const { total, areas } = f(file, bundle);
      console.log(`${what} (${total.toFixed(0)} ms sampled):`);
      for (const a of areas.slice(0, Number(n) || 25)) console.log(`${(a.share * 100).toFixed(1).padStart(5)} %  ${a.ms.toFixed(1).padStart(8)} ms  ${a.area}`);
    }
    process.exit(0);
  }
  const { total, top } = topSelfTime(file, Number(n) || 25);
  console.log(`total sampled: ${total.toFixed(0)} ms`);
  for (const t of top) console.log(`${(t.share * 100).toFixed(1).padStart(5)} %  ${t.ms.toFixed(1).padStart(8)} ms  ${t.fn}  ${t.where}`);
}

/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists the functions with the most self time.
 *   node --import tsx bench/cpuprofile.ts FILE.cpuprofile [N]
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

/** Self time per function (summed over every call site), largest first. */
export function topSelfTime(file: string, n = 15, root = process.cwd()): { total: number; top: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]);
    const dt = p.timeDeltas[i] ?? 0;
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

function shorten(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith('/') ? relative(root, path) : path;
}

if (isMain('cpuprofile')) {
  const [file, n] = process.argv.slice(2);
  if (!file) { console.error('usage: bench/cpuprofile.ts FILE.cpuprofile [N]'); process.exit(2); }
  const { total, top } = topSelfTime(file, Number(n) || 25);
  console.log(`total sampled: ${total.toFixed(0)} ms`);
  for (const t of top) console.log(`${(t.share * 100).toFixed(1).padStart(5)} %  ${t.ms.toFixed(1).padStart(8)} ms  ${t.fn}  ${t.where}`);
}

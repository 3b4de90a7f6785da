/**
 * A tiny test runner for inside the extension host (no mocha in this repo): tests run one after another with a
 * timeout each; results go to the file named by SWITCHYARD_E2E_HOST_RESULTS (code-server's env, inherited by the
 * extension host) so the outer harness can count them; `run()` rejects when any failed.
 */
import { writeFileSync } from 'node:fs';

export interface HostResult { name: string; ok: boolean; ms: number; error?: string }
interface HostTest { name: string; fn: () => Promise<void>; timeoutMs: number }

const tests: HostTest[] = [];

export function test(name: string, fn: () => Promise<void>, timeoutMs = 20_000): void {
  tests.push({ name, fn, timeoutMs });
}

export async function runAll(): Promise<HostResult[]> {
  const results: HostResult[] = [];
  const out = process.env.SWITCHYARD_E2E_HOST_RESULTS;
  const save = () => { if (out) writeFileSync(out, JSON.stringify(results, null, 2)); };
  for (const t of tests) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs); }),
      ]);
      results.push({ name: t.name, ok: true, ms: Date.now() - started });
      console.log(`[host] ✔ ${t.name}`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      results.push({ name: t.name, ok: false, ms: Date.now() - started, error });
      console.log(`[host] ✘ ${t.name}\n${error}`);
    } finally {
      clearTimeout(timer);
    }
    save();
  }
  if (!out) console.log('[host] SWITCHYARD_E2E_HOST_RESULTS is not set: results were not written');
  return results;
}

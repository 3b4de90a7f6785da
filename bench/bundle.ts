/**
 * Bundles a bench entry the way scripts/build.mjs bundles the daemon (esbuild, node20, CJS, ESM-first, syntax
 * minified), so that code is timed as it ships: under tsx every closure creation also pays for esbuild's
 * `keepNames` wrapper, which makes small functions measurably slower than in dist/daemon.js.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawn } from 'node:child_process';
import { DIST, ROOT } from './util';

/** Bundles `entry` (a path under the repository) into a temp folder with the WASM files it may load. */
export async function bundle(entry: string): Promise<string> {
  // Loaded here, not at the top: the bundled bench itself imports this module and must not need esbuild.
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-bundle-'));
  const outfile = join(dir, basename(entry).replace(/\.ts$/, '.js'));
  await build({
    entryPoints: [join(ROOT, entry)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    mainFields: ['module', 'main'], minifySyntax: true, legalComments: 'none', logLevel: 'warning',
    external: ['esbuild', 'autocannon'],
  });
  copyFileSync(join(DIST, 'tiktoken_bg.wasm'), join(dir, 'tiktoken_bg.wasm'));
  return outfile;
}

/** Runs a bundled bench in a child process and returns the JSON it prints on its last stdout line. */
export async function runBundled<T>(entry: string, env: Record<string, string> = {}): Promise<T> {
  const file = await bundle(entry);
  return new Promise<T>((resolve, reject) => {
    const proc = spawn(process.execPath, [file], {
      env: { ...process.env, ...env, SWITCHYARD_BENCH_BUNDLED: '1', SWITCHYARD_BENCH_ROOT: ROOT },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`bundled ${entry} exited ${code}: ${out.slice(-2000)}`));
      try { resolve(JSON.parse(last) as T); } catch { reject(new Error(`bundled ${entry} printed no JSON: ${out.slice(-2000)}`)); }
    });
  });
}

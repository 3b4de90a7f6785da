// Bundles every entry point with esbuild into dist/ (self-contained, node platform) and copies the WASM files
// the bundles load from their own folder. Usage: node scripts/build.mjs [--watch]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

// Node entry points: [source, output]. Entries whose source does not exist yet are skipped.
const nodeEntries = [
  ['daemon/cli.ts', 'cli.js', '#!/usr/bin/env node'],
  ['daemon/daemonEntry.ts', 'daemon.js'],
  // The daemon's tokenizer thread (daemon/estimate/workerCounter.ts loads it from beside daemon.js / cli.js).
  ['daemon/estimate/tokenWorker.ts', 'tokenWorker.js'],
  ['test/fixtures/mock-upstream-cli.ts', 'mock-upstream.js', '#!/usr/bin/env node'],
  ['extension/extension.ts', 'extension.js'],
];
// Browser entry points for webviews.
const webEntries = [
  ['extension/webviews/sidebar/main.ts', 'webviews/sidebar.js'],
  ['extension/webviews/rulesEditor/main.ts', 'webviews/rulesEditor.js'],
];

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const common = { define: { __SWITCHYARD_VERSION__: JSON.stringify(pkg.version) }, bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none', minifySyntax: true };
const jobs = [];
for (const [src, out, banner] of nodeEntries) {
  if (!existsSync(join(root, src))) continue;
  jobs.push(build({
    ...common, entryPoints: [join(root, src)], outfile: join(dist, out), platform: 'node', target: 'node20',
    // ESM entry points first: jsonc-parser's UMD build hides its requires from the bundler.
    // tsx: only named by workerCounter.ts when it runs from source (tests), never from a bundle.
    format: 'cjs', external: ['vscode', 'tsx'], mainFields: ['module', 'main'], banner: banner ? { js: banner } : undefined,
  }));
}
for (const [src, out] of webEntries) {
  if (!existsSync(join(root, src))) continue;
  jobs.push(build({ ...common, entryPoints: [join(root, src)], outfile: join(dist, out), platform: 'browser', target: 'es2022', format: 'iife' }));
}
await Promise.all(jobs);
// esbuild escapes non-ASCII in code but keeps it in the comments it preserves (JSDoc in class bodies: "—", "≈",
// an emoji). One such character makes V8 hold the whole bundle's source as a two-byte string: 5.9 MB instead of
// 3 MB resident in the daemon for its lifetime. Comments are all that is left to change, so each non-ASCII UTF-16
// unit becomes "?" (same length: sourcemap columns stay right).
for (const [src, out] of nodeEntries) {
  if (!existsSync(join(root, src))) continue;
  const file = join(dist, out);
  const text = readFileSync(file, 'utf8');
  if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, '?'));
}
// Webview assets: codicons and stylesheets (node_modules is not packaged).
(await import('../extension/webviews/copyAssets.mjs')).copyWebviewAssets(join(dist, 'webviews'));

// WASM next to the bundles: tiktoken and SQLite both look in __dirname.
copyFileSync(require.resolve('tiktoken/tiktoken_bg.wasm'), join(dist, 'tiktoken_bg.wasm'));
copyFileSync(join(dirname(require.resolve('node-sqlite3-wasm')), 'node-sqlite3-wasm.wasm'), join(dist, 'node-sqlite3-wasm.wasm'));

// The rules JSON Schema, generated from shared/config.ts (the single source of truth).
execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/gen-schema.ts')], { stdio: 'inherit', cwd: root });
writeFileSync(join(dist, '.built'), new Date().toISOString() + '\n');
console.log('built dist/');

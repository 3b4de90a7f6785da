// Runs every test layer: unit, integration and fuzz on node's test runner (TypeScript through tsx), then the
// end-to-end layer in a real VS Code. Usage: node scripts/test.mjs [unit|integration|fuzz|e2e]...
// The fuzz layer's size and seed: FUZZ_RUNS, FUZZ_SEED (test/fuzz/helpers/config.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const wanted = process.argv.slice(2);
const layers = wanted.length ? wanted : ['unit', 'integration', 'fuzz', 'e2e'];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return name.endsWith('.test.ts') ? [relative(root, p)] : [];
  }).sort();
}

const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

// Bundles are needed by integration tests (daemon, CLI, mock upstream) and by the end-to-end layer.
if (layers.some((l) => l !== 'unit') && run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(1);

let failed = false;
for (const layer of layers) {
  if (layer === 'e2e') {
    if (!existsSync(join(root, 'test/e2e/run.ts'))) continue;
    console.log('\n== e2e ==');
    failed = run(process.execPath, ['--import', 'tsx', 'test/e2e/run.ts']) !== 0 || failed;
    continue;
  }
  const files = findTests(join(root, 'test', layer));
  if (!files.length) continue;
  console.log(`\n== ${layer}: ${files.length} files ==`);
  const concurrency = layer === 'unit' ? [] : ['--test-concurrency=1'];
  failed = run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...concurrency, ...files]) !== 0 || failed;
}
process.exit(failed ? 1 : 0);

/**
 * Everything the suite needs, started once: code-server (installed on first use), the packaged .vsix, the mock
 * upstream, a daemon in a temp SWITCHYARD_HOME, a workspace, isolated user-data and extension folders, the
 * extension-development folder for the in-host API suite, and Chromium.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { ROOT } from '../../integration/helpers/daemon';
import { ensureCodeServer, prepareProfile, startCodeServer, type RunningCodeServer } from './codeServer';
import { onCleanup } from './procs';
import { startStack, TEST_KEYS, type Stack } from './stack';
import { launchBrowser } from './workbench';

export const E2E_DIR = join(ROOT, 'test', 'e2e');
export const ARTIFACTS = process.env.SWITCHYARD_E2E_ARTIFACTS ?? join(E2E_DIR, 'artifacts');

export interface Env {
  root: string;
  home: string;
  workspace: string;
  dataDir: string;
  /** The unpacked .vsix plus `out/test/index.js`: the extensionDevelopmentPath of the API suite. */
  extDevDir: string;
  /** Where the in-host suite writes its per-test results (passed to code-server's env). */
  hostResults: string;
  vsix: string;
  stack: Stack;
  codeServer: RunningCodeServer;
  browser: Browser;
  version: string;
  /** A packaging problem worked around (reported as a failed check). */
  packageProblem?: string;
}

const SAMPLE_TS = `// A sample file for the Switchyard end-to-end tests.
export function add(a: number, b: number): number {
  return a + b;
}

export function greet(name: string): string {
  return 'Hello, ' + name + '!';
}

export const thanks = 'thanks!';
`;

export interface PackageOutcome {
  vsix: string;
  /** Set when plain `npm run package` failed and a workaround produced the .vsix: the failure, for the report. */
  problem?: string;
}

const NO_REPO = "Couldn't detect the repository";

/**
 * `npm run package` (build + vsce). Retried once, because other builds in the checkout can rewrite dist/ while vsce
 * zips it. When vsce refuses the README's relative links (no `repository` in package.json), the same script is run
 * with `--no-rewrite-relative-links` so the suite can go on — and the failure is reported as a failed check.
 */
function packageVsix(log: (s: string) => void, into: string): PackageOutcome {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const name = `switchyard-${pkg.version}.vsix`;
  let last = '';
  let problem: string | undefined;
  const extra: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const r = spawnSync('npm', ['run', 'package', ...(extra.length ? ['--', ...extra] : [])], { cwd: ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, timeout: 300_000 });
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
    if (r.status === 0) {
      const dest = join(into, name);
      copyFileSync(join(ROOT, name), dest);
      // A zip that does not list cleanly was written while dist/ changed under it.
      const list = spawnSync('unzip', ['-l', dest], { encoding: 'utf8' });
      if (list.status === 0 && list.stdout.includes('extension/dist/extension.js')) return { vsix: dest, problem };
      last = `the packaged ${name} is not a valid zip: ${list.stderr || list.stdout}`;
    } else {
      last = out.trim().split('\n').filter((l) => l.trim()).slice(-6).join('\n');
      if (out.includes(NO_REPO) && !extra.length) {
        problem = `npm run package fails: vsce refuses README.md's relative links because package.json has no "repository" `
          + `(add one, or pass --no-rewrite-relative-links / --baseContentUrl in the "package" script):\n${out.split('\n').find((l) => l.includes(NO_REPO))?.trim()}`;
        extra.push('--no-rewrite-relative-links');
        log('npm run package failed (README relative links without a repository); retrying with --no-rewrite-relative-links');
        continue;
      }
    }
    log(`npm run package attempt ${attempt} failed:\n${last}`);
  }
  throw new Error(`npm run package failed:\n${last}`);
}

async function buildHostSuite(extDevDir: string): Promise<void> {
  await build({
    entryPoints: [join(E2E_DIR, 'host', 'index.ts')],
    outfile: join(extDevDir, 'out', 'test', 'index.js'),
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'],
    sourcemap: 'inline', logLevel: 'error',
  });
}

export async function setup(log: (s: string) => void): Promise<Env> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const bin = ensureCodeServer(log);

  const root = mkdtempSync(join(tmpdir(), 'sy-e2e-'));
  if (!process.env.SWITCHYARD_E2E_KEEP_TMP) onCleanup(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  const home = join(root, 'home');
  const workspace = join(root, 'workspace');
  const dataDir = join(root, 'data');
  const extDevDir = join(root, 'extdev');
  // 0700: the daemon refuses a home its group or others can read (daemon/home.ts ensureHome).
  for (const d of [home, workspace, dataDir, extDevDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(join(workspace, 'sample.ts'), SAMPLE_TS);

  const t0 = Date.now();
  const packaged = packageVsix(log, root);
  const vsix = packaged.vsix;
  log(`packaged ${vsix.split('/').pop()} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  // The API suite runs the very files the .vsix ships, plus the compiled tests.
  execFileSync('unzip', ['-q', vsix, 'extension/*', '-d', join(root, 'unzipped')]);
  execFileSync('cp', ['-a', `${join(root, 'unzipped', 'extension')}/.`, extDevDir]);
  await buildHostSuite(extDevDir);

  const stack = await startStack(home);
  prepareProfile(bin, dataDir, vsix, {});

  const hostResults = join(root, 'host-results.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_KEYS,
    SWITCHYARD_HOME: home,
    SWITCHYARD_E2E_HOST_RESULTS: hostResults,
    SWITCHYARD_E2E_WORKSPACE: workspace,
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  const codeServer = await startCodeServer({ bin, dataDir, workspace, env, logFile: join(root, 'code-server.log') });
  const browser = await launchBrowser();
  onCleanup(() => browser.close().catch(() => {}));
  return { root, home, workspace, dataDir, extDevDir, hostResults, vsix, stack, codeServer, browser, version, packageProblem: packaged.problem };
}

/**
 * code-server (a full VS Code build on npm) for the end-to-end suite: installed once into a cache folder outside
 * node_modules with the offline recipe from E2E.md, then started with isolated user-data and extension folders.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { track } from './procs';

export const CODE_SERVER_VERSION = '4.100.3';
/** @vscode/ripgrep inside code-server 4.100.3, and the rg release its postinstall would download. */
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_VERSION = 'v13.0.0-10';

/** `$SWITCHYARD_E2E_CODE_SERVER_DIR`, else `$XDG_CACHE_HOME|~/.cache/switchyard-e2e/code-server-4.100.3`. */
export function codeServerDir(): string {
  if (process.env.SWITCHYARD_E2E_CODE_SERVER_DIR) return process.env.SWITCHYARD_E2E_CODE_SERVER_DIR;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'switchyard-e2e', `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerBin(dir = codeServerDir()): string {
  return join(dir, 'node_modules', '.bin', 'code-server');
}

const MARKER = '.switchyard-e2e-installed';

/**
 * Installs code-server into `dir` unless a completed install is there (idempotent). Installs into a sibling
 * temp folder and renames it into place, so an interrupted install never looks complete.
 */
export function ensureCodeServer(log: (line: string) => void, dir = codeServerDir()): string {
  const bin = codeServerBin(dir);
  if (existsSync(join(dir, MARKER)) && existsSync(bin)) return bin;
  if (!existsSync('/usr/bin/rg')) throw new Error('ripgrep is missing (/usr/bin/rg): apt-get install -y ripgrep');

  // @vscode/ripgrep's postinstall downloads rg from GitHub; it accepts a pre-seeded cache in the temp folder.
  const rgCache = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const rgTar = join(rgCache, `ripgrep-${RIPGREP_VERSION}-x86_64-unknown-linux-musl.tar.gz`);
  if (!existsSync(rgTar)) {
    mkdirSync(rgCache, { recursive: true });
    execFileSync('tar', ['czf', rgTar, '-C', '/usr/bin', 'rg']);
  }

  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, 'package.json'), JSON.stringify({ name: 'switchyard-e2e-code-server', private: true }));
  log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (once; about a minute)…`);
  const started = Date.now();
  try {
    execFileSync('npm', ['install', '--prefix', partial, '--foreground-scripts', '--no-audit', '--no-fund', '--no-save',
      `code-server@${CODE_SERVER_VERSION}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', TMPDIR: tmpdir() },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`installing code-server failed: ${e.message}\n${tail}`);
  }
  // The first run on a machine also logs "Wrote default config file …" before the version line.
  const output = execFileSync(codeServerBin(partial), ['--version'], { encoding: 'utf8' }).trim();
  const version = output.split('\n').find((l) => l.startsWith(CODE_SERVER_VERSION));
  if (!version) throw new Error(`unexpected code-server version: ${output}`);
  writeFileSync(join(partial, MARKER), `${version}\n`);
  mkdirSync(dirname(dir), { recursive: true });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  log(`installed code-server ${version.split('\n')[0]} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return codeServerBin(dir);
}

export interface CodeServerOptions {
  bin: string;
  /** user-data-dir; extensions live in `<dataDir>/extensions`. */
  dataDir: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** Where code-server's stdout/stderr are kept (shown when something fails). */
  logFile: string;
}

export interface RunningCodeServer {
  url: string;
  proc: ChildProcess;
  output(): string;
}

/** Writes the user settings and installs a .vsix into the isolated extensions folder. */
export function prepareProfile(bin: string, dataDir: string, vsix: string, settings: Record<string, unknown>): void {
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.commandCenter.enabled': false,
    ...settings,
  }, null, 2));
  writeFileSync(join(dataDir, 'config.yaml'), 'auth: none\ncert: false\n');
  execFileSync(bin, ['--user-data-dir', dataDir, '--extensions-dir', join(dataDir, 'extensions'), '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
  });
}

/** Starts code-server on a free port in its own process group; resolves with its URL once it listens. */
export async function startCodeServer(o: CodeServerOptions): Promise<RunningCodeServer> {
  const proc = spawn(o.bin, [
    '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--disable-proxy', '--ignore-last-opened',
    '--user-data-dir', o.dataDir, '--extensions-dir', join(o.dataDir, 'extensions'), '--config', join(o.dataDir, 'config.yaml'),
    o.workspace,
  ], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  track('code-server', proc, { group: true });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not listen within 60 s:\n${out.slice(-3000)}`)), 60_000);
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${signal ?? code}) before listening:\n${out.slice(-3000)}`));
    });
  });
  return { url, proc, output: () => out };
}

export function codeServerVersion(dir = codeServerDir()): string | null {
  try {
    return readFileSync(join(dir, MARKER), 'utf8').trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

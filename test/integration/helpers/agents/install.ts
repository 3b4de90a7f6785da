/**
 * The real coding agents, installed on demand from the npm registry into a cache folder outside the repo (they are
 * large native binaries, and no part of Switchyard: never a package.json dependency) and reused while the pinned
 * version is there. A failed install throws with npm's own words, so a test that needs the agent fails and says why.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type AgentName = 'claude-code' | 'codex' | 'opencode';

interface AgentPackage {
  package: string;
  /** Pinned so that a run tests what was verified; bump deliberately (docs/CLIENTS.md names these versions). */
  version: string;
  bin: string;
}

export const AGENT_PACKAGES: Record<AgentName, AgentPackage> = {
  'claude-code': { package: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  codex: { package: '@openai/codex', version: '0.171.0', bin: 'codex' },
  opencode: { package: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
};

/** Override with SWITCHYARD_AGENTS_DIR. */
export const AGENTS_CACHE = process.env.SWITCHYARD_AGENTS_DIR ?? join(homedir(), '.cache', 'switchyard-agents');

/** A first install downloads a few hundred MB per agent. */
const INSTALL_TIMEOUT_MS = 300_000;

function installedVersion(prefix: string, pkg: string): string | null {
  const file = join(prefix, 'node_modules', ...pkg.split('/'), 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : null;
}

function npmInstall(prefix: string, spec: string): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Install scripts run: the agents' own pick their platform binary (optional dependencies do the rest).
  const args = ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', spec];
  return new Promise((resolve, reject) => {
    execFile(npm, args, { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 8 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`could not install ${spec} with \`npm ${args.join(' ')}\` (is the npm registry reachable?): ${err.message}\n${String(stderr).slice(-2000)}`));
      else resolve();
    });
  });
}

/** The agent's executable, installing the pinned version first when the cache does not hold it. */
export async function ensureAgent(name: AgentName): Promise<{ bin: string; version: string }> {
  const { package: pkg, version, bin } = AGENT_PACKAGES[name];
  const prefix = join(AGENTS_CACHE, name);
  if (installedVersion(prefix, pkg) !== version) {
    mkdirSync(prefix, { recursive: true });
    await npmInstall(prefix, `${pkg}@${version}`);
    const got = installedVersion(prefix, pkg);
    if (got !== version) throw new Error(`npm install of ${pkg}@${version} finished, but ${prefix} holds ${got ?? 'nothing'}`);
  }
  const path = join(prefix, 'node_modules', '.bin', bin);
  if (!existsSync(path)) throw new Error(`${pkg}@${version} is installed in ${prefix} but has no ${bin} executable`);
  return { bin: path, version };
}

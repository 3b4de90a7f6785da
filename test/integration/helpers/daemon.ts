/** Starts a real daemon process (dist/daemon.js) in a temp SWITCHYARD_HOME for integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MockUpstream } from '../../fixtures/mock-upstream';
import { TEST_MODELS, TEST_TIERS } from '../../fixtures/models';
import { DAEMON_ENV, DAEMON_NODE_ARGS } from '../../../shared/daemonProcess';

export const ROOT = join(__dirname, '..', '..', '..');
export const DIST = join(ROOT, 'dist');

export interface RunningDaemon {
  port: number;
  token: string;
  home: string;
  rulesFile: string;
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Rules that point every provider at the mock upstream, with short timeouts so fault tests stay fast. */
export function mockRules(mock: MockUpstream, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: 1,
    providers: {
      openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', baseURL: mock.openaiBaseURL },
      anthropic: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', baseURL: mock.anthropicBaseURL },
    },
    models: TEST_MODELS,
    tiers: TEST_TIERS,
    rules: [
      { name: 'small talk', if: { prompt: { regex: '^(thanks|ok)\\b', flags: 'i' } }, then: 'fast' },
      { name: 'claude first', if: { task: 'claude' }, then: ['haiku', 'mini'] },
    ],
    default: 'standard',
    fallback: { timeoutMs: 3000, maxRetryAfterMs: 500, circuit: { failures: 3, coolDownMs: 60000 } },
    ...extra,
  }, null, 2);
}

export const TEST_KEYS = { OPENAI_API_KEY: 'sk-test-openai-0123456789abcdef', ANTHROPIC_API_KEY: 'sk-ant-test-0123456789abcdef' };

/** `entry`: another build's daemon.js (the fuzz layer's FUZZ_DIST); default dist/daemon.js. */
export async function startDaemon(opts: { rulesText: string; home?: string; env?: Record<string, string>; args?: string[]; entry?: string }): Promise<RunningDaemon> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'sy-daemon-'));
  const rulesFile = join(home, 'test-rules.json');
  writeFileSync(rulesFile, opts.rulesText);
  // Started the way the extension starts it (shared/daemonProcess.ts), so memory and GC behave as shipped.
  const proc = spawn(process.execPath, [...DAEMON_NODE_ARGS, opts.entry ?? join(DIST, 'daemon.js'), '--port', '0', '--rules', rulesFile, ...(opts.args ?? [])], {
    env: { ...process.env, ...DAEMON_ENV, ...TEST_KEYS, SWITCHYARD_HOME: home, SWITCHYARD_QUIET: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => reject(new Error(`daemon did not start in 15 s: ${stderr}`)), 15_000);
    rl.once('line', (l) => { clearTimeout(timer); resolve(l); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`daemon exited ${code}: ${stderr}`)); });
  });
  const { port } = JSON.parse(line) as { port: number };
  const info = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { token: string };
  return {
    port, token: info.token, home, rulesFile, url: `http://127.0.0.1:${port}`, proc,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

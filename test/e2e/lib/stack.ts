/**
 * The services behind the editor: the fault-injecting mock upstream (dist/mock-upstream.js, controlled over
 * HTTP) and a real daemon in a temp SWITCHYARD_HOME whose rules point at the mock — written with the integration
 * tests' `mockRules` and started with their `startDaemon`.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { FaultRule, MockUpstream } from '../../fixtures/mock-upstream';
import { DIST, mockRules, startDaemon, TEST_KEYS, type RunningDaemon } from '../../integration/helpers/daemon';
import { TestClient } from '../../integration/helpers/wsClient';
import type { LedgerEntry } from '../../../shared/protocol';
import { track, trackPid } from './procs';

export { TEST_KEYS };

/** The mock upstream as a separate process; the parts of MockUpstream that `mockRules` and the tests use. */
export interface MockProcess extends Pick<MockUpstream, 'url' | 'port' | 'openaiBaseURL' | 'anthropicBaseURL'> {
  fail(rule: FaultRule | FaultRule[]): Promise<void>;
  reset(): Promise<void>;
  /** Overrides the answers' shape (`deltas`, `deltaDelayMs`, `text`) until reset. */
  reply(reply: { text?: string; deltas?: number; deltaDelayMs?: number }): Promise<void>;
  count(filter?: { api?: 'openai' | 'anthropic'; model?: string }): Promise<number>;
  requests(): Promise<{ api: string; model?: string; path: string }[]>;
}

async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export async function startMock(): Promise<MockProcess> {
  const proc = spawn(process.execPath, [join(DIST, 'mock-upstream.js'), '--port', '0', '--deltas', '12'], { stdio: ['ignore', 'pipe', 'pipe'] });
  track('mock-upstream', proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock upstream did not start: ${err}`)), 15_000);
    createInterface({ input: proc.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    proc.once('exit', (code) => reject(new Error(`mock upstream exited ${code}: ${err}`)));
  });
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  return {
    url, port, openaiBaseURL: `${url}/v1`, anthropicBaseURL: url,
    fail: async (rule) => { await http('POST', `${url}/__mock/faults`, rule); },
    reset: async () => { await http('POST', `${url}/__mock/reset`, {}); },
    reply: async (reply) => { await http('POST', `${url}/__mock/reply`, reply); },
    count: async (f = {}) => {
      const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
      return (await http('GET', `${url}/__mock/count?${q}`)).count as number;
    },
    requests: () => http('GET', `${url}/__mock/requests`),
  };
}

/** The rule names the e2e rules add to the integration tests' mock rules (visible in hints, traces, the ledger). */
export const E2E_RULES = {
  smallTalk: 'small talk',
  explain: 'explain code',
  refactors: 'refactors',
} as const;

/**
 * The integration tests' mock rules (`mockRules`: every provider at the mock, short timeouts), plus budgets (so the
 * sidebar and status bar show "of $10.00") and two editor rules: Explain → fast tier, code-action refactors and
 * tests → standard tier.
 */
export function e2eRulesText(mock: MockProcess): string {
  const rules = JSON.parse(mockRules(mock as unknown as MockUpstream, { budgets: { dailyUsd: 10, monthlyUsd: 200 } })) as { rules: unknown[] };
  rules.rules.push(
    { name: E2E_RULES.explain, if: { task: 'explain' }, then: 'fast' },
    { name: E2E_RULES.refactors, if: { all: [{ source: 'codeAction' }, { task: ['refactor', 'tests'] }] }, then: 'standard' },
  );
  return JSON.stringify(rules, null, 2);
}

export interface Stack {
  mock: MockProcess;
  daemon: RunningDaemon;
  /** The daemon's original rules text (tests that save rules put it back). */
  rulesText: string;
  /** `node dist/cli.js …` with this SWITCHYARD_HOME. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The daemon's own view over HTTP: `GET /v1/switchyard/spend`. */
  spend(by?: 'model' | 'rule' | 'tier' | 'source'): Promise<{ requests: number; costUsd: number; buckets: { key: string; requests: number; costUsd: number }[] }>;
  /** Ledger rows over the WebSocket protocol (`spend.recent`), newest first. */
  recent(limit?: number): Promise<LedgerEntry[]>;
}

export async function startStack(home: string): Promise<Stack> {
  const mock = await startMock();
  const rulesText = e2eRulesText(mock);
  const daemon = await startDaemon({ rulesText, home });
  track('daemon', daemon.proc);
  const run = promisify(execFile);
  const stack: Stack = {
    mock, daemon, rulesText,
    cli: async (args) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [join(DIST, 'cli.js'), ...args], {
          env: { ...process.env, ...TEST_KEYS, SWITCHYARD_HOME: home, NO_COLOR: '1' }, cwd: home, timeout: 30_000,
        });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    spend: (by = 'model') => http('GET', `${daemon.url}/v1/switchyard/spend?since=1d&by=${by}`, undefined, { authorization: `Bearer ${daemon.token}` }),
    recent: async (limit = 20) => {
      const client = await TestClient.connect(daemon.port, daemon.token);
      try {
        return await client.request('spend.recent', { limit });
      } finally {
        client.close();
      }
    },
  };
  return stack;
}

/** A daemon some window spawned in our home instead of connecting to ours: tracked so teardown ends it. */
export function adoptStrayDaemon(home: string, ours: number): number | null {
  try {
    const info = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid?: number };
    if (info.pid && info.pid !== ours) {
      trackPid('stray daemon', info.pid);
      return info.pid;
    }
  } catch {
    // no daemon.json
  }
  return null;
}

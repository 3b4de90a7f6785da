/**
 * The peer gateway: Portkey's open-source AI gateway (`@portkey-ai/gateway`, Node build), installed on demand into
 * a cache folder, started on loopback and routed by its conditional-routing config (`x-portkey-config`) to the
 * same mock upstream through `custom_host` — its OpenAI API, or its Anthropic one with Portkey translating. The
 * proxy and streaming benches measure it side by side with the direct paths and Switchyard (bench/paths.ts); run
 * alone, this file prints the Portkey comparison table.
 *   node --import tsx bench/portkey.ts
 * If Portkey cannot be installed or started, the reason is reported and the other benches carry on.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isMain, keepAliveAgent, post, sleep, spawnNode, TEST_KEYS, type Child } from './util';

/** Pinned so that runs compare like with like; override with SWITCHYARD_BENCH_PORTKEY_VERSION. */
export const PORTKEY_VERSION = process.env.SWITCHYARD_BENCH_PORTKEY_VERSION ?? '1.15.2';
export const PORTKEY_CACHE = process.env.SWITCHYARD_BENCH_PORTKEY_DIR ?? join(homedir(), '.cache', 'switchyard-bench', 'portkey');
const PACKAGE = '@portkey-ai/gateway';

export interface Portkey {
  url: string;
  port: number;
  pid: number;
  version: string;
  child: Child;
  /** Headers that route a request by conditional routing to the mock (its OpenAI or Anthropic endpoint). */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${String(stderr).slice(-1500)}`));
      else resolve(String(stdout));
    });
  });
}

/** The installed package folder, installing it first if needed. */
export async function ensurePortkey(): Promise<{ dir: string; version: string; installed: boolean }> {
  const dir = join(PORTKEY_CACHE, 'node_modules', ...PACKAGE.split('/'));
  const pkgFile = join(dir, 'package.json');
  const installedVersion = () => (existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version : null);
  if (installedVersion() === PORTKEY_VERSION) return { dir, version: PORTKEY_VERSION, installed: false };
  mkdirSync(PORTKEY_CACHE, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // No install scripts: the gateway's own (patch-package) only matters for its development setup.
  await run(npm, ['install', '--prefix', PORTKEY_CACHE, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', `${PACKAGE}@${PORTKEY_VERSION}`], 240_000);
  const v = installedVersion();
  if (!v) throw new Error(`npm install finished but ${pkgFile} is missing`);
  return { dir, version: v, installed: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The gateway listens on every interface by default (it has no host option); this preload makes every
 * `listen(port)` without a host bind 127.0.0.1, so the bench stays on loopback.
 */
function loopbackShim(): string {
  const file = join(PORTKEY_CACHE, 'loopback-only.cjs');
  writeFileSync(file, `// Written by Switchyard's bench/portkey.ts: bind servers that name no host to 127.0.0.1 only.
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\\d+$/.test(args[0]))) {
    if (args.length === 1 || typeof args[1] === 'function') args.splice(1, 0, '127.0.0.1');
    else if (typeof args[1] !== 'string') args[1] = '127.0.0.1';
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
`);
  return file;
}

/** Which of the mock's APIs Portkey is routed to: OpenAI chat (same format as the caller) or Anthropic messages (translated). */
export type PortkeyUpstream = 'openai' | 'anthropic';

/**
 * Conditional routing as close to the default Switchyard rules as Portkey's query language allows (it sees
 * request metadata and params, not the prompt text or a token count): classification and urgent requests to the
 * fast model, everything else to the standard one — both at the mock upstream, in its OpenAI API or (`anthropic`:
 * Portkey translates the OpenAI chat request and answer) its Anthropic one.
 */
export function portkeyConfig(mock: { openaiBaseURL: string; anthropicBaseURL: string }, upstream: PortkeyUpstream = 'openai'): Record<string, unknown> {
  const target = (name: string, model: string) => (upstream === 'openai'
    ? { name, provider: 'openai', api_key: TEST_KEYS.OPENAI_API_KEY, custom_host: mock.openaiBaseURL, override_params: { model } }
    // Portkey's Anthropic provider appends /messages to a base URL that includes /v1.
    : { name, provider: 'anthropic', api_key: TEST_KEYS.ANTHROPIC_API_KEY, custom_host: `${mock.anthropicBaseURL}/v1`, override_params: { model } });
  const [fast, standard] = upstream === 'openai' ? ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06'] : ['claude-3-5-haiku-20241022', 'claude-3-5-sonnet-20241022'];
  return {
    strategy: {
      mode: 'conditional',
      conditions: [
        { query: { 'metadata.task': { $eq: 'classification' } }, then: 'fast' },
        { query: { 'metadata.urgency': { $eq: 'high' } }, then: 'fast' },
        { query: { 'metadata.task': { $in: ['refactor', 'tests'] } }, then: 'standard' },
      ],
      default: 'standard',
    },
    targets: [target('fast', fast), target('standard', standard)],
  };
}

/** Installs (if needed) and starts the gateway routed to `upstream`; resolves once a routed request is answered. */
export async function startPortkey(mock: { openaiBaseURL: string; anthropicBaseURL: string }, upstream: PortkeyUpstream = 'openai'): Promise<Portkey> {
  const { dir, version } = await ensurePortkey();
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin ? Object.values(pkg.bin)[0] : 'build/start-server.js';
  const script = join(dir, bin);
  if (!existsSync(script)) throw new Error(`${PACKAGE}@${version} has no ${bin}`);
  const port = await freePort();
  // The gateway prints a spinner, not a JSON line: spawnNode's ready line is ours, printed by a tiny wrapper.
  const wrapper = join(PORTKEY_CACHE, 'start-and-report.mjs');
  writeFileSync(wrapper, `// Written by Switchyard's bench/portkey.ts: start the gateway, print {"port"} once it answers.
const port = Number(process.argv[2]);
process.argv = [process.argv[0], ${JSON.stringify(script)}, '--headless', '--port=' + port];
await import(${JSON.stringify('file://' + script)});
for (let i = 0; i < 300; i++) {
  try { const r = await fetch('http://127.0.0.1:' + port + '/'); if (r.ok) { await r.text(); break; } } catch {}
  await new Promise((r) => setTimeout(r, 50));
}
process.stdout.write('\\n' + JSON.stringify({ ready: true, port }) + '\\n');
`);
  const child = await spawnNode(wrapper, [String(port)], {
    nodeArgs: ['--require', loopbackShim()], env: { NODE_ENV: 'production' }, timeoutMs: 30_000, cwd: PORTKEY_CACHE,
  });
  const url = `http://127.0.0.1:${port}`;
  // One real request through the route, so a broken config fails here with its reason, not in the middle of a bench.
  const headers = {
    authorization: `Bearer ${TEST_KEYS.OPENAI_API_KEY}`,
    'x-portkey-config': JSON.stringify(portkeyConfig(mock, upstream)),
  };
  let last = '';
  for (let i = 0; i < 20; i++) {
    try {
      const r = await post(`${url}/v1/chat/completions`, { model: 'gpt-4o-2024-08-06', messages: [{ role: 'user', content: 'ping' }], max_tokens: 16 }, headers, keepAliveAgent());
      if (r.status === 200 && r.body.includes('"choices"')) {
        return { url, port, pid: child.proc.pid!, version, child, headers, stop: () => child.stop() };
      }
      last = `HTTP ${r.status}: ${r.body.slice(0, 300)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  await child.stop();
  throw new Error(`Portkey ${version} started but a routed request failed: ${last}`);
}

if (isMain('portkey')) {
  void import('./proxy').then(({ benchProxy }) => benchProxy({ portkey: true })).then(async (r) => {
    const { printTable } = await import('./table');
    printTable('Switchyard vs Portkey (same mock upstream, same requests)', r.portkeyRows);
    if (r.portkeyRows.some((x) => x.ok === false)) process.exitCode = 1;
  }, (err) => { console.error(err); process.exit(1); });
}

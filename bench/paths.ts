/**
 * The paths a benchmark request takes, measured side by side in one run by the proxy and streaming benches:
 *
 * - `direct`, `directAnthropic`: straight to the mock upstream's OpenAI chat / Anthropic messages API — the
 *   baselines every "added" number is measured from.
 * - `passthrough`: an OpenAI chat body to Switchyard with `model: "switchyard/auto"`, routed by the default rules
 *   to gpt-4o at the mock — same format, so the body goes on with only `model` replaced and the answer's bytes
 *   come back. Compared with `direct`.
 * - `translated`: the same body with `model: "sonnet"` (a model named by the caller) — Claude at the mock, so
 *   Switchyard translates the request to Anthropic messages and the answer back. Compared with `directAnthropic`.
 * - `relay`: a bare node:http relay (bench/relay.ts), the floor any Node proxy pays here. Compared with `direct`.
 * - `portkey`, `portkeyTranslated`: Portkey's gateway routed to the mock's OpenAI API, and to its Anthropic API
 *   (Portkey translating). Compared with `direct` and `directAnthropic`.
 *
 * Each proxy runs in its own process (two daemons, two gateways), so each path's CPU time is its own. Before any
 * measurement every path is checked to really go where it says (the mock's record of what it received).
 */
import { join } from 'node:path';
import { startPortkey, type Portkey, type PortkeyUpstream } from './portkey';
import { defaultRulesFor } from './rules';
import {
  anthropicBody, chatBody, freshAgent, post, spawnNode, startSwitchyard, TEST_KEYS, type Child, type Daemon, type Mock, type Timed,
} from './util';

export type PathKey = 'direct' | 'directAnthropic' | 'relay' | 'passthrough' | 'translated' | 'portkey' | 'portkeyTranslated';
/** What a client gets back: OpenAI chat (completion or chunks) or Anthropic messages (message or events). */
export type ClientFormat = 'openai' | 'anthropic';

export const OPENAI_MODEL = 'gpt-4o-2024-08-06';
export const ANTHROPIC_MODEL = 'claude-3-5-sonnet-20241022';

export interface BenchPath {
  key: PathKey;
  label: string;
  url: string;
  headers: Record<string, string>;
  format: ClientFormat;
  /** The path this one's "added" numbers are measured from (null for the direct paths themselves). */
  baseline: 'direct' | 'directAnthropic' | null;
  /** The process whose CPU time is this path's cost (null for a direct path: the mock serves every path). */
  pid: number | null;
  /** The i-th request body: a new ~1 KB slice of code, the same content on every path. */
  body(i: number, stream?: boolean): string;
  /** Why a response does not show this path was taken (wrong model, not an answer), or null. */
  problem(res: Pick<Timed, 'status' | 'headers' | 'body'>): string | null;
}

export interface Paths {
  paths: BenchPath[];
  /** Switchyard's daemons by path (for per-thread CPU and memory). */
  daemons: Partial<Record<PathKey, Daemon>>;
  /** Why a path is missing (Portkey not installed, …). */
  notes: string[];
  stop(): Promise<void>;
}

export const byKey = (paths: readonly BenchPath[], key: PathKey): BenchPath | undefined => paths.find((p) => p.key === key);

const answered = (format: ClientFormat, body: string) => (format === 'openai' ? body.includes('"choices"') : body.includes('"content"'));

/** `models`: the models that may serve the path (the first is the one it is named after). */
function problemOf(format: ClientFormat, ...models: string[]) {
  return (res: Pick<Timed, 'status' | 'headers' | 'body'>): string | null => {
    if (res.status !== 200) return `HTTP ${res.status} ${res.body.slice(0, 200)}`;
    if (models.length && !models.includes(String(res.headers['x-switchyard-model']))) return `served by ${String(res.headers['x-switchyard-model'])}, not ${models.join(' or ')}`;
    // A stream's body is checked by the streaming bench itself (it counts the content deltas).
    if (!String(res.headers['content-type']).includes('event-stream') && !answered(format, res.body)) return `not an answer: ${res.body.slice(0, 200)}`;
    return null;
  };
}

/** The bare relay (bench/relay.ts) in its own process, under tsx. */
async function startRelay(mock: Mock): Promise<Child> {
  return spawnNode(join(__dirname, 'relay.ts'), ['--upstream', mock.openaiBaseURL, '--key', TEST_KEYS.OPENAI_API_KEY], { nodeArgs: ['--require', require.resolve('tsx/cjs')] });
}

/** Asks the mock what it received last: the API and model a path really reached. */
async function lastUpstreamCall(mock: Mock): Promise<{ api: string; model: string } | undefined> {
  const r = await fetch(`${mock.url}/__mock/requests`);
  const calls = (await r.json()) as Array<{ api: string; model: string }>;
  return calls.at(-1);
}

/**
 * Starts every proxy of `keys` (Portkey unless `portkey` is false; a Portkey that cannot start leaves a note) and
 * checks each path once. `keys` in the order the tables list them.
 */
export async function startPaths(mock: Mock, keys: readonly PathKey[], opts: { portkey?: boolean } = {}): Promise<Paths> {
  const notes: string[] = [];
  const daemons: Partial<Record<PathKey, Daemon>> = {};
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => { await Promise.allSettled(stoppers.map((s) => s())); };
  const paths: BenchPath[] = [];
  const openaiBody = (model: string) => (i: number, stream = false) => JSON.stringify(chatBody(i, model, { stream }));
  try {
    for (const key of keys) {
      if (key === 'direct') {
        paths.push({
          key, label: 'direct to the mock (OpenAI chat)', url: `${mock.url}/v1/chat/completions`, headers: { authorization: `Bearer ${TEST_KEYS.OPENAI_API_KEY}` },
          format: 'openai', baseline: null, pid: null, body: openaiBody(OPENAI_MODEL), problem: problemOf('openai'),
        });
      } else if (key === 'directAnthropic') {
        paths.push({
          key, label: 'direct to the mock (Anthropic messages)', url: `${mock.url}/v1/messages`,
          headers: { 'x-api-key': TEST_KEYS.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' },
          format: 'anthropic', baseline: null, pid: null, body: (i, stream = false) => JSON.stringify(anthropicBody(i, ANTHROPIC_MODEL, { stream })), problem: problemOf('anthropic'),
        });
      } else if (key === 'relay') {
        const relay = await startRelay(mock);
        stoppers.push(() => relay.stop());
        paths.push({
          key, label: 'through a bare node:http relay (the floor)', url: `http://127.0.0.1:${Number(relay.info.port)}/v1/chat/completions`, headers: {},
          format: 'openai', baseline: 'direct', pid: relay.proc.pid!, body: openaiBody(OPENAI_MODEL), problem: problemOf('openai'),
        });
      } else if (key === 'passthrough' || key === 'translated') {
        const daemon = await startSwitchyard(defaultRulesFor(mock));
        stoppers.push(() => daemon.stop());
        daemons[key] = daemon;
        const passthrough = key === 'passthrough';
        paths.push({
          key, label: passthrough ? 'through Switchyard, same format (passthrough)' : 'through Switchyard, OpenAI chat → Anthropic (translated)',
          url: `${daemon.url}/v1/chat/completions`, headers: { authorization: `Bearer ${daemon.token}` }, format: 'openai',
          baseline: passthrough ? 'direct' : 'directAnthropic', pid: daemon.pid,
          body: openaiBody(passthrough ? 'switchyard/auto' : 'sonnet'),
          // The built-in rules' classifier routes the bench's asks (bench/util.ts) by what they need: standard (OpenAI,
          // a same-format passthrough) for 99.7 % of them, fast (OpenAI too) for 0.2 %, deep (Claude, translated)
          // for 0.05 % (20 of the first 40,000): the path is the router's, as a client would get it.
          problem: passthrough ? problemOf('openai', OPENAI_MODEL, 'gpt-4o-mini-2024-07-18', ANTHROPIC_MODEL) : problemOf('openai', ANTHROPIC_MODEL),
        });
      } else if (opts.portkey !== false) {
        const upstream: PortkeyUpstream = key === 'portkey' ? 'openai' : 'anthropic';
        let portkey: Portkey;
        try {
          portkey = await startPortkey(mock, upstream);
        } catch (e) {
          notes.push(`Portkey (${upstream}) not measured: ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        stoppers.push(() => portkey.stop());
        paths.push({
          key, label: key === 'portkey' ? `through Portkey ${portkey.version} (OpenAI → OpenAI)` : `through Portkey ${portkey.version}, OpenAI chat → Anthropic (translated)`,
          url: `${portkey.url}/v1/chat/completions`, headers: portkey.headers, format: 'openai',
          baseline: key === 'portkey' ? 'direct' : 'directAnthropic', pid: portkey.pid,
          body: openaiBody(key === 'portkey' ? OPENAI_MODEL : ANTHROPIC_MODEL), problem: problemOf('openai'),
        });
      }
    }
    // Each path once: an answer, and the upstream API and model it was meant to reach.
    const expected: Record<PathKey, [string, string]> = {
      direct: ['openai', OPENAI_MODEL], relay: ['openai', OPENAI_MODEL], passthrough: ['openai', OPENAI_MODEL], portkey: ['openai', OPENAI_MODEL],
      directAnthropic: ['anthropic', ANTHROPIC_MODEL], translated: ['anthropic', ANTHROPIC_MODEL], portkeyTranslated: ['anthropic', ANTHROPIC_MODEL],
    };
    for (const p of paths) {
      const res = await post(p.url, p.body(0), p.headers, freshAgent());
      const problem = p.problem(res);
      const call = await lastUpstreamCall(mock);
      const [api, model] = expected[p.key];
      if (problem || call?.api !== api || call.model !== model) {
        throw new Error(`${p.label}: ${problem ?? `reached ${call?.api} ${call?.model}, expected ${api} ${model}`}`);
      }
    }
    await mock.reset();
    return { paths, daemons, notes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

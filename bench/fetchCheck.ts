/**
 * Differential check of the daemon's upstream transport (`keepAliveFetch` in daemon/engine.ts) against the global
 * fetch it replaces: the real SDK adapters through the legs dispatch uses (OpenAI and Anthropic, plain and streaming) against the fault-injecting
 * mock upstream — every fault kind — once with each transport. The outcomes (text, or the ProviderError kind and
 * status dispatch acts on) must be the same.
 *   node --import tsx bench/fetchCheck.ts
 */
import type { CanonicalRequest } from '../shared/canonical';
import type { Candidate } from '../shared/decision';
import { upstreamLeg } from '../daemon/dispatch/leg';
import { planCalls } from '../daemon/dispatch/plan';
import { keepAliveFetch } from '../daemon/providers/keepAliveFetch';
import { createAdapter } from '../daemon/providers/index';
import { ProviderError } from '../daemon/providers/types';
import type { ResolvedProvider } from '../daemon/rules/types';
import { startMockUpstream, type Fault } from '../test/fixtures/mock-upstream';
import { isMain, TEST_KEYS } from './util';

const FAULTS: Array<Fault | null> = [
  null,
  { kind: 'status', status: 429, retryAfter: '1' }, { kind: 'status', status: 500 }, { kind: 'status', status: 400, message: 'bad' },
  { kind: 'status', status: 401 }, { kind: 'status', status: 529 }, { kind: 'reset' }, { kind: 'hang' },
  { kind: 'cut', afterDeltas: 0 }, { kind: 'cut', afterDeltas: 2 }, { kind: 'malformed-json' }, { kind: 'malformed-sse', afterDeltas: 1 },
  { kind: 'trickle', delayMs: 5 }, { kind: 'trickle', delayMs: 400 }, // the second outlasts the 1.5 s signal: aborted mid-body
];

async function outcome(fetchImpl: typeof fetch | undefined, provider: ResolvedProvider, model: string, stream: boolean): Promise<string> {
  const adapter = createAdapter(provider, provider.type === 'anthropic' ? TEST_KEYS.ANTHROPIC_API_KEY : TEST_KEYS.OPENAI_API_KEY, fetchImpl ? { fetch: fetchImpl } : {});
  const request: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello in five words.' }] }], maxTokens: 64, stream };
  const candidate: Candidate = { name: model, provider: provider.name, providerType: provider.type, model, estimate: { inputTokens: 0, outputTokens: 0, costUsd: 0, ttftMs: 0, latencyMs: 0 } };
  const leg = upstreamLeg(adapter, planCalls(request, [candidate]).calls.get(candidate)!, request);
  const signal = AbortSignal.timeout(1_500); // ends a hang the way dispatch's per-attempt timer does
  try {
    if (!stream) {
      const { response } = await leg.complete(signal);
      return `ok: ${response.content.map((p) => (p.type === 'text' ? p.text : '')).join('')} (${response.finishReason})`;
    }
    let text = '';
    for await (const chunk of leg.stream(signal)) for (const ev of chunk.events) if (ev.type === 'delta') text += ev.text;
    return `ok stream: ${text}`;
  } catch (e) {
    if (e instanceof ProviderError) return `ProviderError ${e.kind}${e.status ? ` ${e.status}` : ''}${e.retryAfterMs !== undefined ? ` retry-after ${e.retryAfterMs}` : ''}`;
    return `thrown ${(e as Error).name}: ${(e as Error).message}`;
  }
}

export async function checkUpstreamFetch(): Promise<{ cases: number; mismatches: string[] }> {
  const mock = await startMockUpstream({ port: 0 });
  const providers: Array<[ResolvedProvider, string]> = [
    [{ name: 'openai', type: 'openai', baseURL: mock.openaiBaseURL, keyRequired: true }, 'gpt-4o-mini-2024-07-18'],
    [{ name: 'anthropic', type: 'anthropic', baseURL: mock.anthropicBaseURL, keyRequired: true }, 'claude-3-5-haiku-20241022'],
  ];
  const mismatches: string[] = [];
  let cases = 0;
  try {
    for (const [provider, model] of providers) {
      for (const stream of [false, true]) {
        for (const fault of FAULTS) {
          const results: string[] = [];
          for (const impl of [undefined, keepAliveFetch]) {
            mock.reset();
            if (fault) mock.fail({ fault, times: 1 });
            results.push(await outcome(impl, provider, model, stream));
          }
          cases++;
          if (results[0] !== results[1]) mismatches.push(`${provider.type} ${stream ? 'stream' : 'plain'} ${fault ? JSON.stringify(fault) : 'ok'}: global fetch → ${results[0]} | keepAliveFetch → ${results[1]}`);
        }
      }
    }
  } finally {
    await mock.close();
  }
  return { cases, mismatches };
}

if (isMain('fetchCheck')) {
  checkUpstreamFetch().then(({ cases, mismatches }) => {
    console.log(`${cases} cases, ${mismatches.length} different`);
    for (const m of mismatches) console.log(m);
    if (mismatches.length) process.exitCode = 1;
  }, (e) => { console.error(e); process.exit(1); });
}

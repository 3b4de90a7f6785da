import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { CompletionError, Engine } from '../../daemon/engine';
import { Ledger } from '../../daemon/ledger/ledger';
import { parseRules } from '../../daemon/rules/load';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { TEST_KEYS } from './helpers/daemon';

let mock: MockUpstream;
let ledger: Ledger;
before(async () => { mock = await startMockUpstream(); ledger = Ledger.open(mkdtempSync(join(tmpdir(), 'sy-budget-'))); });
after(async () => { ledger.close(); await mock.close(); });

it('budgets.hardStop refuses requests past the cap unless the rules pick a zero-cost model; spend flips the tier', async () => {
  const { rules } = parseRules(JSON.stringify({
    version: 1,
    providers: { openai: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', baseURL: mock.openaiBaseURL }, local: { type: 'openai-compatible', baseURL: mock.openaiBaseURL } },
    models: { gpt4o: { provider: 'openai', id: 'gpt-4o-2024-08-06' }, free: { provider: 'local', id: 'llama-3.1-8b', inputPerMTok: 0, outputPerMTok: 0 } },
    tiers: { paid: ['gpt4o'], free: ['free'] },
    rules: [{ name: 'local for chit-chat', if: { task: 'chat' }, then: 'free' }, { name: 'guard', if: { spentTodayUsd: { '>': 0.00001 } }, then: 'paid' }],
    default: 'paid',
    budgets: { dailyUsd: 0.00001, hardStop: true },
  }), 'budget.json');
  assert.ok(rules);
  const engine = new Engine(() => rules, ledger, Date.now, TEST_KEYS);
  assert.equal((await engine.preview({ prompt: 'x' })).rule, 'default');
  const first = await engine.complete({ prompt: 'write a long essay please' }, { stream: false });
  assert.ok(first.costUsd! > 0.00001, `cost ${first.costUsd}`);
  assert.equal((await engine.preview({ prompt: 'x' })).rule, 'guard', 'spend feeds the next decision');
  await assert.rejects(engine.complete({ prompt: 'another one' }, { stream: false }), (e: CompletionError) => e.code === 'E_BUDGET_EXCEEDED' && /daily budget/.test(e.message) && /zero-cost/.test(e.message));
  const free = await engine.complete({ prompt: 'hi', task: 'chat' }, { stream: false });
  assert.equal(free.model, 'llama-3.1-8b');
  assert.equal(free.costUsd, 0);
  const refused = ledger.recent(5).find((r) => r.status === 'error');
  assert.match(refused!.error!, /hardStop/);
});

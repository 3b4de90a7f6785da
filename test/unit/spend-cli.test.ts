/** `switchyard spend --by conversation` without a daemon: it reads the ledger itself and lists agent sessions. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spendCommand } from '../../daemon/cli/spend';
import { Ledger, type LedgerInsert } from '../../daemon/ledger/ledger';
import type { SpendReport } from '../../daemon/reports';

const base = mkdtempSync(join(tmpdir(), 'switchyard-spend-cli-'));
const home = join(base, 'home');
const savedHome = process.env.SWITCHYARD_HOME;

/** Runs the command with console.log captured. */
async function spend(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  try {
    return { code: await spendCommand(argv), out };
  } finally {
    console.log = log;
  }
}

describe('switchyard spend --by conversation', () => {
  before(() => {
    process.env.SWITCHYARD_HOME = home;
    const l = Ledger.open(home);
    const now = Date.now();
    const row = (over: Partial<LedgerInsert>): LedgerInsert => ({
      id: `r${Math.random()}`, time: now - 60_000, rule: 'default', status: 'ok', costUsd: 0.01, estimatedCostUsd: 0.01, totalMs: 10, model: 'gpt-4o-2024-08-06', ...over,
    });
    const shape = (turns: number) => ({
      format: 'anthropic' as const, hasTools: true, toolCount: 1, hasImages: false, hasDocuments: false, turns, lastIsToolResult: true,
      needs: { tools: true, vision: false, documents: false, structuredOutput: false, reasoning: false },
    });
    const session = 'user_abc123_account__session_0f9e8d7c-6b5a-4321-9876-543210fedcba';
    l.record(row({ conversation: session, client: 'claude-cli', model: 'claude-sonnet-4-20250514', toolCalls: 2, costUsd: 0.5, time: now - 120_000, features: { inputTokens: 10, shape: shape(1) } }));
    l.record(row({ conversation: session, client: 'claude-cli', model: 'claude-sonnet-4-20250514', toolCalls: 1, costUsd: 0.25, features: { inputTokens: 10, shape: shape(2) } }));
    l.record(row({ conversation: 'codex-1', client: 'codex', toolCalls: 0, costUsd: null, time: now - 30 * 60_000 }));
    l.record(row({ costUsd: 0.125 })); // a single editor request
    l.close();
  });
  after(() => {
    if (savedHome === undefined) delete process.env.SWITCHYARD_HOME;
    else process.env.SWITCHYARD_HOME = savedHome;
    rmSync(base, { recursive: true, force: true });
  });

  test('lists sessions, most recently active first, with turns, tool calls, cost, client and models', async () => {
    const { code, out } = await spend(['--by', 'conversation']);
    assert.equal(code, 0);
    assert.match(out[0], /^Spend over the last 7d: \$0\.875 for 4 requests \(\+1 of unknown cost\)/);
    const table = out.join('\n').split('\n').filter((l) => l.trim());
    const head = table.findIndex((l) => l.startsWith('conversation'));
    assert.match(table[head], /^conversation\s+requests\s+turns\s+tools\s+cost\s+client\s+last\s+models$/);
    assert.match(table[head + 1], /^user_abc123_account__se…\s+2\s+2\s+3\s+\$0\.75\s+claude-cli\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+claude-sonnet-4-20250514$/);
    assert.match(table[head + 2], /^codex-1\s+1\s+—\s+0\s+\$0\.00 \(\+1 unknown\)\s+codex\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+gpt-4o-2024-08-06$/);
    assert.equal(table.at(-1), 'Outside any conversation: 1 request, $0.125');
  });

  test('--json carries the buckets and the conversations whole', async () => {
    const { out } = await spend(['--by', 'conversation', '--json']);
    const report = JSON.parse(out.join('\n')) as SpendReport;
    assert.equal(report.by, 'conversation');
    assert.deepEqual(report.buckets.map((b) => b.key), ['user_abc123_account__session_0f9e8d7c-6b5a-4321-9876-543210fedcba', '(none)', 'codex-1']);
    assert.deepEqual(report.conversations?.map((c) => [c.key, c.requests, c.turns, c.toolCalls]), [
      ['user_abc123_account__session_0f9e8d7c-6b5a-4321-9876-543210fedcba', 2, 2, 3],
      ['codex-1', 1, null, 0],
    ]);
  });

  test('the other new breakdowns print as buckets; an unknown one is a usage error naming the choices', async () => {
    const { out } = await spend(['--by', 'client']);
    assert.ok(out.some((l) => /^claude-cli\s+2\s+\$0\.75$/.test(l)), out.join('\n'));
    await assert.rejects(spend(['--by', 'prompt']), /--by must be one of model, rule, tier, source, conversation, client, format/);
  });
});

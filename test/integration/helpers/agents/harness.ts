/**
 * One place for a real-agent test to stand: the recording mock upstream, a daemon routing to it, the closed
 * network, and per run a throwaway home and project (files written into it) with a tap in front of the daemon.
 * A run hands back three things side by side: what the agent printed, what it sent Switchyard (and the routing
 * headers it got back), and what the upstream received.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import type { LedgerEntry } from '../../../../shared/protocol';
import { startMockUpstream, type MockUpstream, type RecordedRequest, type ReplyStep } from '../../../fixtures/mock-upstream';
import { TEST_MODELS } from '../../../fixtures/models';
import { mockRules, startDaemon, type RunningDaemon } from '../daemon';
import { TestClient } from '../wsClient';
import { ensureAgent, type AgentName } from './install';
import type { Launch } from './launch';
import { startOutsideTrap, type OutsideTrap } from './outside';
import { makeSandbox, runAgent, type AgentResult, type Sandbox } from './run';
import { startTap, type TappedExchange } from './tap';

/**
 * The test models plus two reasoning models per provider: the agents ask for reasoning (thinking, effort) and long
 * answers, so only these can serve them. o4-mini is not in the catalog: its capabilities are given here.
 */
export const AGENT_MODELS = {
  ...TEST_MODELS,
  o3: { provider: 'openai', id: 'o3-mini-2025-01-31' },
  o4mini: {
    provider: 'openai', id: 'o4-mini-2025-04-16', inputPerMTok: 1.1, outputPerMTok: 4.4, contextWindow: 200_000, maxOutputTokens: 100_000,
    capabilities: { tools: true, vision: true, documents: true, structuredOutput: true, reasoning: true },
  },
  sonnet4: { provider: 'anthropic', id: 'claude-sonnet-4-20250514' },
  sonnet37: { provider: 'anthropic', id: 'claude-3-7-sonnet-20250219' },
};

/** The pinned id the upstream sees for each short name. */
export const ID = Object.fromEntries(Object.entries(AGENT_MODELS).map(([name, m]) => [name, m.id])) as { [K in keyof typeof AGENT_MODELS]: string };

export interface AgentSession {
  result: AgentResult;
  box: Sandbox;
  /** What the agent sent Switchyard, in order, with the answers' status and headers. */
  sent: TappedExchange[];
  /** What the upstream received during the run, in order. */
  upstream: RecordedRequest[];
  /** Hosts the agent tried to reach besides loopback (refused). */
  outside: string[];
}

export interface AgentGateway {
  mock: MockUpstream;
  daemon: RunningDaemon;
  /**
   * Installs the agent if needed, writes `files` into a fresh project folder, scripts the mock's answers (`script`
   * gets the folder: tool calls name paths in it), and runs the agent against Switchyard (through a tap) until it
   * exits.
   */
  run(agent: AgentName, o: { files: Record<string, string>; script: (box: Sandbox) => ReplyStep[]; launch: (box: Sandbox, baseURL: string) => Launch; timeoutMs?: number }): Promise<AgentSession>;
  /**
   * Sends one of the agent's requests again, as it was sent but with `headers` added (e.g. an x-switchyard-session
   * of its own, so it starts a conversation of its own), and reads the answer to the end.
   */
  resend(e: TappedExchange, headers: Record<string, string>): Promise<{ status: number; headers: Headers; text: string }>;
  /** The ledger rows of the requests the agent sent (by their x-switchyard-request-id), in the order sent. */
  ledgerRows(sent: TappedExchange[]): Promise<LedgerEntry[]>;
  ledger: TestClient;
  stop(): Promise<void>;
}

export async function startAgentGateway(extra: Record<string, unknown>): Promise<AgentGateway> {
  const mock = await startMockUpstream({ deltas: 3 });
  const daemon = await startDaemon({
    rulesText: mockRules(mock, {
      models: AGENT_MODELS,
      // Circuits never open: one test's refusals must not take a model out of the next.
      fallback: { timeoutMs: 10_000, maxRetryAfterMs: 500, circuit: { failures: 1000, coolDownMs: 1000 } },
      ...extra,
    }),
  });
  const trap: OutsideTrap = await startOutsideTrap();
  const ledger = await TestClient.connect(daemon.port, daemon.token);
  const boxes: Sandbox[] = [];
  return {
    mock, daemon, ledger,
    async run(agent, o) {
      const { bin } = await ensureAgent(agent);
      const box = makeSandbox(agent);
      boxes.push(box);
      for (const [name, text] of Object.entries(o.files)) writeFileSync(join(box.work, name), text);
      mock.reset();
      mock.setReply({ script: o.script(box) });
      const firstAttempt = trap.attempts.length;
      const tap = await startTap(daemon.url);
      try {
        const launch = o.launch(box, tap.url);
        const result = await runAgent(bin, launch.args, { cwd: box.work, env: { ...launch.env, ...trap.env }, timeoutMs: o.timeoutMs ?? 45_000 });
        return { result, box, sent: [...tap.exchanges], upstream: [...mock.requests], outside: trap.attempts.slice(firstAttempt) };
      } finally {
        await tap.close();
      }
    },
    async resend(e, headers) {
      const own: Record<string, string> = {};
      for (const [k, v] of Object.entries(e.headers)) {
        if (typeof v === 'string' && !HOP_BY_HOP.has(k)) own[k] = v;
      }
      const res = await fetch(`${daemon.url}${e.path}`, { method: e.method, headers: { ...own, ...headers }, body: JSON.stringify(e.body) });
      return { status: res.status, headers: res.headers, text: await res.text() };
    },
    async ledgerRows(sent) {
      const ids = sent.map((e) => String(e.responseHeaders?.['x-switchyard-request-id'] ?? ''));
      const rows = await ledger.request('spend.recent', { limit: 500 });
      return ids.map((id) => {
        const row = rows.find((r) => r.id === id);
        if (!row) throw new Error(`no ledger row for request ${id || '(no x-switchyard-request-id header)'}`);
        return row;
      });
    },
    async stop() {
      ledger.close();
      await trap.close();
      await daemon.stop();
      await mock.close();
      for (const box of boxes) box.remove();
    },
  };
}

/** Headers of one connection, not of the request: fetch sets its own. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'transfer-encoding', 'keep-alive']);

/** The data of an SSE answer's events, parsed (`[DONE]` left out). */
export function sseData(text: string): any[] {
  const out: any[] = [];
  const parser = createParser({ onEvent: (e) => { if (e.data !== '[DONE]') out.push(JSON.parse(e.data)); } });
  parser.feed(text);
  return out;
}

/** A recorded upstream request's path without its query string. */
export const pathOf = (r: { path: string }): string => r.path.split('?')[0];

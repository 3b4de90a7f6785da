/**
 * The labelled routing corpus (data/routing/README.md): its row schema, loading, and the fixed split. Rows are
 * labelled by ../shared/ROUTING.md's guide. The split is a pure function of a row's id, so adding rows never
 * moves an old one between splits.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RouteRequest } from '../../shared/decision';
import { testShape } from '../../daemon/rules/ruleTests';

export const TIERS = ['fast', 'standard', 'deep'] as const;
export type CorpusTier = (typeof TIERS)[number];
export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

const ToolCall = z.strictObject({ name: z.string().min(1), arguments: z.string() });

export const CorpusMessage = z.strictObject({
  role: z.enum(['user', 'assistant', 'tool']),
  content: z.string(),
  /** Assistant turns of an agent loop: the tools it called. */
  toolCalls: z.array(ToolCall).optional(),
});

export const CorpusRow = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+-\d{4}$/, 'ids look like "<part>-0001"'),
  /** What the model sees as the user's text, code included: the last user ask of a conversation. */
  prompt: z.string().min(1),
  source: z.enum(['palette', 'codeAction', 'http']),
  task: z.enum(['chat', 'explain', 'refactor', 'tests', 'fix', 'classification']).nullable(),
  language: z.string().min(1).nullable(),
  tier: z.enum(TIERS),
  why: z.string().min(3),
  /** The whole conversation, when there is more than the prompt: its last user text message is `prompt`. */
  messages: z.array(CorpusMessage).min(2).optional(),
  /** Tool names the caller offered (agent traffic). */
  tools: z.array(z.string().min(1)).min(1).optional(),
}).superRefine((row, ctx) => {
  if (!row.messages) return;
  const asks = row.messages.filter((m) => m.role === 'user');
  if (!asks.length || asks[asks.length - 1].content !== row.prompt) {
    ctx.addIssue({ code: 'custom', path: ['messages'], message: 'the last user message must be the prompt itself' });
  }
});
export type CorpusRow = z.infer<typeof CorpusRow>;

/** Which split a row is in: 70 % train, 15 % validation, 15 % test, by a digest of its id. */
export function splitOf(id: string): Split {
  const bucket = createHash('sha256').update(id).digest().readUInt32BE(0) % 100;
  return bucket < 70 ? 'train' : bucket < 85 ? 'validation' : 'test';
}

export const CORPUS_DIR = join(import.meta.dirname, '..', '..', 'data', 'routing');

export interface LoadIssue { file: string; line: number; message: string }

/** Parses every `*.jsonl` in `dir`, in file-name order; problems are returned, never thrown. */
export function readRows(dir: string): { rows: (CorpusRow & { file: string; line: number })[]; issues: LoadIssue[] } {
  const rows: (CorpusRow & { file: string; line: number })[] = [];
  const issues: LoadIssue[] = [];
  if (!existsSync(dir)) return { rows, issues };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(dir, name);
    readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
      if (!text.trim()) return;
      let value: unknown;
      try { value = JSON.parse(text); } catch (e) { issues.push({ file, line: i + 1, message: (e as Error).message }); return; }
      const parsed = CorpusRow.safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) issues.push({ file, line: i + 1, message: `${issue.path.join('.') || '(row)'}: ${issue.message}` });
        return;
      }
      rows.push({ ...parsed.data, file, line: i + 1 });
    });
  }
  return { rows, issues };
}

/** The rows of one split (data/routing/<split>/*.jsonl). Training reads train and validation only. */
export function loadSplit(split: Split): CorpusRow[] {
  const { rows, issues } = readRows(join(CORPUS_DIR, split));
  if (issues.length) throw new Error(`corpus: ${issues.length} bad rows, first: ${issues[0].file}:${issues[0].line} ${issues[0].message}`);
  return rows.map(({ file: _f, line: _l, ...row }) => row);
}

/** A row as the daemon would see it: the RouteRequest an editor or HTTP request with this content makes. */
export function toRouteRequest(row: CorpusRow): RouteRequest {
  const request: RouteRequest = { prompt: row.prompt, source: row.source };
  if (row.task) request.task = row.task;
  if (row.language) request.language = row.language;
  if (row.messages) {
    request.messages = row.messages.filter((m) => m.role !== 'tool').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
    const turns = row.messages.filter((m) => m.role === 'user').length;
    request.shape = testShape({ hasTools: !!row.tools?.length, turns, lastIsToolResult: row.messages[row.messages.length - 1].role === 'tool' });
  } else if (row.tools?.length) {
    request.shape = testShape({ hasTools: true });
  }
  return request;
}

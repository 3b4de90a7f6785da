/**
 * The spend ledger: one SQLite row per request, committed before the response's last byte is sent.
 *
 * Storage: `<home>/ledger.db` (folder 0700, file 0600), SQLite compiled to WebAssembly (`node-sqlite3-wasm`, no
 * native module — see DESIGN.md "Runtime: no native modules"), `locking_mode=EXCLUSIVE` + `journal_mode=WAL` +
 * `synchronous=NORMAL`.
 *
 * Durability: every `record()` is its own autocommitted transaction, so the row is in the WAL (in the OS page
 * cache) when `record()` returns. A crash of the daemon process (even SIGKILL) never loses a committed row and
 * never corrupts the file: the next open replays the WAL. With `synchronous=NORMAL` the WAL is fsynced only at
 * checkpoints, so an OS crash or power loss may lose the last few commits (never corrupt the database).
 *
 * Exclusive locking is required, not just chosen: this WASM build implements no shared-memory (xShm*) methods,
 * and SQLite can only run WAL without shared memory in exclusive locking mode. One process owns the ledger: the
 * daemon. Other tools (CLI `spend`, `replay`) ask the daemon, or open the ledger only when no daemon runs.
 *
 * Privacy: a prompt is kept only as an HMAC-SHA-256 digest under the install's secret (`<home>/digest.key`), unless
 * prompt storage is on; error text and attempt messages are scrubbed of key-shaped strings and, with prompt
 * storage off, of quoted prompt text (scrub.ts) — here, on the way in, for every caller.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, type Statement } from 'node-sqlite3-wasm';
import type { Urgency } from '../../shared/config';
import { VERDICT_TIERS, type LatencyStat, type RequestShape, type VerdictTier } from '../../shared/decision';
import type { Attempt, ConversationSpend, EscalationBucket, FeedbackMark, LedgerEntry, SpendBucket, SpendSummary } from '../../shared/protocol';
import { ensureHome, installDigestKey } from '../home';
import { keyedDigest } from '../textDigest';
import { migrate } from './migrations';
import {
  BREAKDOWN_COLUMNS, END_OF_TIME, SQL, localDate, type EscalationKey, localDayStart, localMonthStart, median, toConversation, toEntry, toRow,
  type BreakdownBy,
} from './queries';
import { scrubStoredText } from './scrub';

export type { BreakdownBy } from './queries';

export type LedgerStatus = LedgerEntry['status'];

/** The derived request features the rules saw: enough to re-decide every non-regex rule in a replay. */
export interface RequestFeatures {
  task?: string;
  source?: string;
  urgency?: Urgency;
  language?: string;
  inputTokens: number;
  maxOutputTokens?: number;
  latencyBudgetMs?: number;
  metadata?: Record<string, string>;
  /** What the request carried (tools, turns, last message a tool result, client, reasoning…), for shape conditions. */
  shape?: RequestShape;
  /** The classifier's verdict, when it ran for the request (escalation rates are kept per verdict tier). */
  verdict?: { tier: VerdictTier; confidence: number };
  /** The classifier's features (daemon/classifier/sketch.ts), so a replay can re-classify a row whose prompt was not stored. */
  classifier?: string;
}

/** What the daemon hands to `record()`. Optional fields default to null (tokens, costs…), 0 or []. */
export interface LedgerInsert {
  /** The request id; unique (a second row with the same id throws). */
  id: string;
  /** Epoch ms when the request started; defaults to the ledger clock. */
  time?: number;
  source?: string | null;
  task?: string | null;
  rule: string;
  tier?: string | null;
  provider?: string | null;
  model?: string | null;
  status: LedgerStatus;
  inputTokens?: number | null;
  outputTokens?: number | null;
  cachedTokens?: number | null;
  reasoningTokens?: number | null;
  /** Our local estimate of the input tokens (for per-model calibration against `inputTokens`). */
  estimatedInputTokens?: number | null;
  /** From the provider's reported usage; null = unknown (stays unknown, never summed as 0). */
  costUsd: number | null;
  estimatedCostUsd: number;
  /** What the same tokens would have cost on the default target (computed by the caller). */
  defaultCostUsd?: number | null;
  /** What the same tokens would have cost on the most expensive candidate. */
  maxCostUsd?: number | null;
  ttftMs?: number | null;
  totalMs: number;
  fallbacks?: number;
  /** Messages are scrubbed before they are stored (see scrub.ts). */
  attempts?: Attempt[];
  /** Scrubbed before it is stored (see scrub.ts). */
  error?: string | null;
  /**
   * Stored only when the ledger's `storePrompts` option is on; otherwise dropped (NULL). Either way its keyed
   * digest is stored as `promptHash` (see promptDigest).
   */
  prompt?: string | null;
  /**
   * The rest of the request's text (system prompt, earlier turns): never stored, only looked for in error text,
   * like the prompt, when prompts are not stored — an upstream may quote any part of what it was sent.
   */
  context?: string | null;
  features?: RequestFeatures | null;
  // Agent traffic; each unknown (NULL) when absent.
  /** RouteRequest.conversation.key. */
  conversation?: string | null;
  /** RequestShape.client. */
  client?: string | null;
  /** The caller's wire format → the upstream's (`anthropic→openai-chat`), one name when they are the same. */
  format?: string | null;
  passthrough?: boolean | null;
  /** Tool calls in the answer. */
  toolCalls?: number | null;
  /** Tool results in the request's last message. */
  toolResults?: number | null;
  /** Images in the request. */
  images?: number | null;
  /** Usage.cacheWriteInputTokens. */
  cacheWriteTokens?: number | null;
  /** The usage was estimated (a cut or cancelled stream: see engine.ts deliveredUsage), not reported. */
  usageEstimated?: boolean | null;
  /** The request this one asked again with a stronger model (its id). */
  escalatedFrom?: string | null;
}

/** A full row, as replay needs it. */
export interface LedgerRow extends LedgerEntry {
  estimatedInputTokens: number | null;
  defaultCostUsd: number | null;
  maxCostUsd: number | null;
  promptHash: string | null;
  prompt: string | null;
  features: RequestFeatures | null;
}

export interface LedgerOptions {
  /** Clock (epoch ms) used for defaults: row time, today/month, prune. */
  now?: () => number;
  /** Store prompt text (needed to replay regex rules). Off by default: only the hash and features are kept. */
  storePrompts?: boolean;
}

export interface SpendBudgets {
  dailyUsd?: number | null;
  monthlyUsd?: number | null;
}

/** Totals over a time range. `costUsd` sums known costs only; `unknownCostRequests` counts the rest. */
export interface SpendTotals {
  requests: number;
  costUsd: number;
  unknownCostRequests: number;
  savingsVsDefaultUsd: number;
}

export const LEDGER_FILE = 'ledger.db';
const DAY_MS = 86_400_000;

/** Absolute paths of ledgers open in this process: a second open would delete a live lock (see removeStaleLock). */
const openInProcess = new Set<string>();

export class Ledger {
  readonly file: string;
  private readonly db: Database;
  private readonly now: () => number;
  private readonly digestKey: Buffer;
  private storePromptsOn: boolean;
  private readonly statements = new Map<string, Statement>();
  private closed = false;

  private constructor(file: string, db: Database, digestKey: Buffer, options: LedgerOptions) {
    this.file = file;
    this.db = db;
    this.digestKey = digestKey;
    this.now = options.now ?? Date.now;
    this.storePromptsOn = options.storePrompts ?? false;
    this.stmt(SQL.insert); // prepared up front: a broken schema fails at open, not at the first request
  }

  /**
   * Opens (creating if needed) `<home>/ledger.db`. Creates `home` with mode 0700 when it does not exist, refuses
   * one others can read or write (HomeError, see home.ts ensureHome) and keeps the database file at 0600. Removes
   * a stale lock left by a killed process (see removeStaleLock).
   */
  static open(home: string, options: LedgerOptions = {}): Ledger {
    const dir = path.resolve(home);
    const file = path.join(dir, LEDGER_FILE);
    if (openInProcess.has(file)) throw new Error(`ledger ${file} is already open in this process`);

    ensureHome(dir);
    const digestKey = installDigestKey(dir);
    ensurePrivateFile(file);
    removeStaleLock(file);

    const db = new Database(file);
    try {
      // Order matters: exclusive locking first, so WAL can run without a shared-memory index.
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      const mode = db.all('PRAGMA journal_mode = WAL')[0] as { journal_mode?: string } | undefined;
      if (String(mode?.journal_mode).toLowerCase() !== 'wal') {
        throw new Error(`ledger: could not enable WAL (journal_mode=${String(mode?.journal_mode)})`);
      }
      db.exec('PRAGMA synchronous = NORMAL');
      // Checkpoints reset the WAL; this also truncates the file back to 4 MiB after a large burst.
      db.exec('PRAGMA journal_size_limit = 4194304');
      migrate(db, { promptDigest: (text) => keyedDigest(digestKey, text) });
      for (const suffix of ['-wal', '-journal']) chmodIfExists(file + suffix, 0o600);
      const ledger = new Ledger(file, db, digestKey, options);
      openInProcess.add(file);
      return ledger;
    } catch (err) {
      try {
        db.close();
      } catch {
        /* keep the original error */
      }
      throw err;
    }
  }

  get storePrompts(): boolean {
    return this.storePromptsOn;
  }

  /** Turn prompt storage on or off for rows recorded from now on (the user's opt-in can change at runtime). */
  setStorePrompts(on: boolean): void {
    this.storePromptsOn = on;
  }

  /**
   * The digest stored for a prompt: HMAC-SHA-256 under this install's secret, hex. Equal prompts give equal
   * digests within one install (compare with this, never with a plain hash); other installs, and anyone without
   * `digest.key`, cannot test a guess against it.
   */
  promptDigest(prompt: string): string {
    return keyedDigest(this.digestKey, prompt);
  }

  /** Checkpoints the WAL into the database file and closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openInProcess.delete(this.file);
    for (const s of this.statements.values()) if (!s.isFinalized) s.finalize();
    this.statements.clear();
    this.db.close();
  }

  /**
   * Inserts one row in its own autocommitted transaction: when this returns, the row is committed.
   * Throws on a duplicate id or a closed ledger. Non-finite numbers are stored as NULL (unknown).
   */
  record(row: LedgerInsert): LedgerEntry {
    this.assertOpen();
    const time = row.time ?? this.now();
    const promptHash = row.prompt != null ? this.promptDigest(row.prompt) : null;
    const prompt = this.storePromptsOn ? row.prompt ?? null : null;
    // With the prompt stored anyway, an error quoting it reveals nothing more; keys are masked regardless.
    const echoOf = prompt === null ? [row.prompt, row.context].filter((t) => !!t).join('\n') || null : null;
    const scrub = (text: string) => scrubStoredText(text, echoOf);
    const attempts = (row.attempts ?? []).map((a) => (a.message === undefined ? a : { ...a, message: scrub(a.message) }));
    const entry: LedgerEntry = {
      id: row.id,
      time,
      source: row.source ?? null,
      task: row.task ?? null,
      rule: row.rule,
      tier: row.tier ?? null,
      provider: row.provider ?? null,
      model: row.model ?? null,
      status: row.status,
      inputTokens: num(row.inputTokens),
      outputTokens: num(row.outputTokens),
      cachedTokens: num(row.cachedTokens),
      reasoningTokens: num(row.reasoningTokens),
      costUsd: num(row.costUsd),
      estimatedCostUsd: num(row.estimatedCostUsd) ?? 0,
      ttftMs: num(row.ttftMs),
      totalMs: num(row.totalMs) ?? 0,
      fallbacks: num(row.fallbacks) ?? 0,
      attempts,
      error: row.error == null ? null : scrub(row.error),
      // An empty key would group unrelated requests into one conversation; empty names say nothing.
      conversation: row.conversation || null,
      client: row.client || null,
      format: row.format || null,
      passthrough: row.passthrough ?? null,
      toolCalls: num(row.toolCalls),
      toolResults: num(row.toolResults),
      images: num(row.images),
      cacheWriteTokens: num(row.cacheWriteTokens),
      usageEstimated: row.usageEstimated ?? null,
      escalatedFrom: row.escalatedFrom || null,
      feedback: null,
      verdict: row.features?.verdict && VERDICT_TIERS.includes(row.features.verdict.tier) ? row.features.verdict.tier : null,
    };
    // Same order as COLUMNS in queries.ts.
    this.run(SQL.insert, [
      entry.id, entry.time, entry.source, entry.task, entry.rule, entry.tier, entry.provider, entry.model,
      entry.status, entry.inputTokens, entry.outputTokens, entry.cachedTokens, entry.reasoningTokens,
      num(row.estimatedInputTokens), entry.costUsd, entry.estimatedCostUsd, num(row.defaultCostUsd),
      num(row.maxCostUsd), entry.ttftMs, entry.totalMs, entry.fallbacks, JSON.stringify(attempts), entry.error,
      promptHash, prompt, row.features ? JSON.stringify(row.features) : null,
      entry.conversation, entry.client, entry.format, bit(entry.passthrough), entry.toolCalls, entry.toolResults,
      entry.images, entry.cacheWriteTokens, bit(entry.usageEstimated), entry.escalatedFrom,
    ]);
    // Invariant: no statement is left mid-iteration (which would keep the implicit transaction open and
    // defer this commit). Reads below always run their statements to completion.
    if (this.db.inTransaction) throw new Error('ledger: insert left a transaction open (not committed)');
    return entry;
  }

  /** One full row by request id. */
  get(id: string): LedgerRow | null {
    const r = this.all(SQL.byId, [id])[0];
    return r ? toRow(r) : null;
  }

  /**
   * Sets (or, with null, clears) the user's mark on a row's answer. Returns the row as it is now, or null when no
   * row has that id.
   */
  setFeedback(id: string, mark: FeedbackMark | null): LedgerEntry | null {
    if (this.run(SQL.setFeedback, [mark, id]) === 0) return null;
    const r = this.all(SQL.byId, [id])[0];
    return r ? toEntry(r) : null;
  }

  /** Escalations and overkill marks over [fromMs, toMs), by the escalated row's rule or verdict (see SQL.escalations). */
  escalations(fromMs: number, toMs: number, by: EscalationKey): EscalationBucket[] {
    return this.all(SQL.escalations(by), [fromMs, toMs]).map((r) => ({
      key: String(r.key), requests: Number(r.requests), escalated: Number(r.escalated), overkill: Number(r.overkill),
    }));
  }

  /** Totals (requests, known cost, unknown-cost count, savings vs default) over [fromMs, toMs). */
  totals(fromMs: number, toMs: number = END_OF_TIME): SpendTotals {
    const r = this.all(SQL.totals, [fromMs, toMs])[0] ?? {};
    return {
      requests: Number(r.requests ?? 0),
      costUsd: Number(r.cost ?? 0),
      unknownCostRequests: Number(r.unknown ?? 0),
      savingsVsDefaultUsd: Number(r.savings ?? 0),
    };
  }

  /** Known spend (USD) of rows at or after `sinceMs`. Unknown costs are not counted as 0: see totals(). */
  spendSince(sinceMs: number): number {
    return this.totals(sinceMs).costUsd;
  }

  /** Known spend since local midnight of `now`'s day. */
  spendToday(now: number = this.now()): number {
    return this.totals(localDayStart(now), localDayStart(now, 1)).costUsd;
  }

  /** Known spend since local midnight on the first of `now`'s month. */
  spendThisMonth(now: number = this.now()): number {
    return this.totals(localMonthStart(now), localMonthStart(now, 1)).costUsd;
  }

  /** What the spend sidebar and `spend.summary` show. Breakdowns, savings and unknown costs cover this month. */
  summary(now: number = this.now(), budgets: SpendBudgets = {}): SpendSummary {
    const dayFrom = localDayStart(now);
    const dayTo = localDayStart(now, 1);
    const monthFrom = localMonthStart(now);
    const monthTo = localMonthStart(now, 1);
    const today = this.totals(dayFrom, dayTo);
    const month = this.totals(monthFrom, monthTo);
    const daily: SpendSummary['daily'] = [];
    for (let i = 29; i >= 0; i--) {
      const from = localDayStart(now, -i);
      daily.push({ date: localDate(from), costUsd: this.totals(from, localDayStart(now, -i + 1)).costUsd });
    }
    return {
      todayUsd: today.costUsd,
      monthUsd: month.costUsd,
      dailyBudgetUsd: budgets.dailyUsd ?? null,
      monthlyBudgetUsd: budgets.monthlyUsd ?? null,
      requestsToday: today.requests,
      requestsMonth: month.requests,
      savingsVsDefaultUsd: month.savingsVsDefaultUsd,
      byModel: this.breakdownBetween(monthFrom, monthTo, 'model'),
      byRule: this.breakdownBetween(monthFrom, monthTo, 'rule'),
      daily,
      unknownCostRequests: month.unknownCostRequests,
      escalations: { byRule: this.escalations(monthFrom, monthTo, 'rule'), byVerdict: this.escalations(monthFrom, monthTo, 'verdict') },
    };
  }

  /** Spend grouped by a column since `sinceMs`, most expensive first. NULL keys are grouped as `(none)`. */
  breakdown(sinceMs: number, by: BreakdownBy): SpendBucket[] {
    return this.breakdownBetween(sinceMs, END_OF_TIME, by);
  }

  /**
   * The newest `limit` rows, newest first. `conversation`: a key → only that conversation's rows; null → only rows
   * outside any conversation; undefined → every row.
   */
  recent(limit = 50, conversation?: string | null): LedgerEntry[] {
    const n = clampLimit(limit);
    if (conversation === undefined) return this.all(SQL.recent, [n]).map(toEntry);
    if (conversation === null) return this.all(SQL.recentSolo, [n]).map(toEntry);
    return this.all(SQL.recentOf, [conversation, n]).map(toEntry);
  }

  /**
   * The `limit` conversations most recently active at or after `sinceMs`, most recent first, each with its whole
   * totals (an agent session's spend, also from before `sinceMs`). Kept up to date by the insert itself (see
   * migration 3), so this reads `limit` rows however many requests the sessions made. Requests without a
   * conversation key are in none (see recent(n, null)).
   */
  conversations(sinceMs: number, limit = 50): ConversationSpend[] {
    return this.all(SQL.conversations, [sinceMs, clampLimit(limit)]).map(toConversation);
  }

  /** Every row at or after `sinceMs`, oldest first, with features, prompt, tier, costs and latency (for replay). */
  rowsSince(sinceMs: number): LedgerRow[] {
    return this.all(SQL.rowsSince, [sinceMs]).map(toRow);
  }

  /**
   * rowsSince a page at a time (reading a row costs tens of microseconds in the WASM build, so 10,000 at once hold
   * the event loop for most of a second). `after` is the previous page's `next`; a page shorter than `limit` is the last.
   */
  rowsPage(sinceMs: number, after: { time: number; rowid: number } | null, limit: number): { rows: LedgerRow[]; next: { time: number; rowid: number } | null } {
    const raw = this.all(SQL.rowsPage, [sinceMs, after?.time ?? Number.MIN_SAFE_INTEGER, after?.time ?? Number.MIN_SAFE_INTEGER, after?.rowid ?? 0, limit]);
    const last = raw.at(-1);
    return { rows: raw.map(toRow), next: last ? { time: Number(last.time), rowid: Number(last.page_rowid) } : null };
  }

  /**
   * Per model: median time to first token and median tokens/second (output tokens ÷ (total − ttft) seconds)
   * over its last `lastN` ok rows where both can be computed (streamed, with output tokens). Models with no
   * such row are absent (the router falls back to the catalog's seed values).
   */
  latencyStats(lastN = 50): Record<string, LatencyStat> {
    const out = Object.create(null) as Record<string, LatencyStat>; // keyed by model ids from rules files
    for (const model of this.models()) {
      const rows = this.all(SQL.latency, [model, lastN]);
      if (rows.length === 0) continue;
      const ttft = rows.map((r) => Number(r.ttft_ms));
      const tps = rows.map((r) => Number(r.output_tokens) / ((Number(r.total_ms) - Number(r.ttft_ms)) / 1000));
      out[model] = { ttftMs: median(ttft), tokensPerSecond: median(tps), samples: rows.length };
    }
    return out;
  }

  /** Per model: median of reported ÷ estimated input tokens over its last `lastN` ok rows having both. */
  calibration(lastN = 50): Record<string, number> {
    const out = Object.create(null) as Record<string, number>; // keyed by model ids from rules files
    for (const model of this.models()) {
      const rows = this.all(SQL.calibration, [model, lastN]);
      if (rows.length === 0) continue;
      out[model] = median(rows.map((r) => Number(r.input_tokens) / Number(r.estimated_input_tokens)));
    }
    return out;
  }

  /**
   * Deletes rows older than `retentionDays` before `now`, and the conversations whose last request was; a
   * conversation that goes on keeps its totals. Returns the number of rows deleted.
   */
  prune(retentionDays: number, now: number = this.now()): number {
    if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
      throw new RangeError(`retentionDays must be a positive number, got ${retentionDays}`);
    }
    const cutoff = now - retentionDays * DAY_MS;
    const deleted = this.run(SQL.prune, [cutoff]);
    this.run(SQL.pruneConversations, [cutoff]);
    return deleted;
  }

  /** Number of rows. */
  count(): number {
    return Number(this.all(SQL.count)[0]?.n ?? 0);
  }

  /** `PRAGMA integrity_check` result: `['ok']` when healthy. */
  integrityCheck(): string[] {
    this.assertOpen();
    return this.db.all('PRAGMA integrity_check').map((r) => String(Object.values(r)[0]));
  }

  private breakdownBetween(fromMs: number, toMs: number, by: BreakdownBy): SpendBucket[] {
    const column = BREAKDOWN_COLUMNS[by];
    if (!column) throw new RangeError(`unknown breakdown: ${String(by)}`);
    return this.all(SQL.breakdown(column), [fromMs, toMs]).map((r) => ({
      key: String(r.key),
      requests: Number(r.requests),
      costUsd: Number(r.cost),
    }));
  }

  private models(): string[] {
    return this.all(SQL.models).map((r) => String(r.model));
  }

  /** Runs a cached statement to completion (never a half-read `get()`, which would keep a transaction open). */
  private all(sql: string, params?: Param[]): Record<string, unknown>[] {
    return this.use(sql, (s) => s.all(params) as Record<string, unknown>[]);
  }

  /** Runs a cached write statement; returns the number of rows changed. */
  private run(sql: string, params: Param[]): number {
    return this.use(sql, (s) => s.run(params).changes);
  }

  /**
   * After a failed step (constraint violation, I/O error…) sqlite3_reset() reports that error again, and
   * node-sqlite3-wasm then refuses to rebind the statement ("Could not reset statement") forever. So a statement
   * that failed is finalized and dropped from the cache; the next call prepares it afresh.
   */
  private use<T>(sql: string, fn: (s: Statement) => T): T {
    this.assertOpen();
    const s = this.stmt(sql);
    try {
      return fn(s);
    } catch (err) {
      this.statements.delete(sql);
      try {
        s.finalize();
      } catch {
        /* finalize repeats the step's error; the statement is freed regardless */
      }
      throw err;
    }
  }

  /** Prepared once per ledger, reused for every call. */
  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('ledger is closed');
  }
}

type Param = string | number | null;

function num(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const bit = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

const clampLimit = (limit: number) => Math.max(0, Math.min(10_000, Math.floor(Number(limit) || 0)));

function ensurePrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  fs.chmodSync(file, 0o600); // umask-proof, and repairs a file that was made readable by others
}

function chmodIfExists(file: string, mode: number): void {
  try {
    fs.chmodSync(file, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * node-sqlite3-wasm's VFS locks a database by creating a `<db>.lock` DIRECTORY (mkdir is atomic) and removes it
 * on close. A process killed with SIGKILL (or a crash, or power loss) never removes it, and every later open
 * then fails with SQLITE_BUSY "database is locked" — forever, since nothing else clears it. The directory holds
 * no information about its owner, so it cannot be checked for staleness. It is safe to remove here because the
 * only process that opens the ledger is the daemon, and the daemon guarantees a single instance through its own
 * lock (daemon.json + pid) before opening the ledger; within this process `openInProcess` refuses a second open.
 * Therefore a lock directory that exists at open time was left by a dead process.
 */
function removeStaleLock(file: string): boolean {
  const lock = `${file}.lock`;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (!st.isDirectory()) throw new Error(`ledger: ${lock} exists and is not a directory`);
  fs.rmSync(lock, { recursive: true, force: true });
  return true;
}

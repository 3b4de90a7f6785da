/**
 * Messages between each webview and the extension host, both directions, as `{ type }` unions. Webviews never
 * talk to the daemon: they post these to the host, which calls DaemonApi and posts the answer back. Everything
 * here is plain structured-clone data (no functions, no classes).
 */
import type { ConversationSpend, LedgerEntry, ProviderHealth, ReplayResult, SpendSummary, ValidationIssue } from './protocol';
import type { Decision, RouteRequest } from './decision';

/**
 * Commands a webview may ask the host to run. The host runs nothing else: a compromised webview cannot reach
 * arbitrary commands. The extension-core engineer owns the command ids; keep this list in step with package.json.
 */
export const WEBVIEW_COMMANDS = {
  ask: 'switchyard.ask',
  setApiKey: 'switchyard.setApiKey',
  restartDaemon: 'switchyard.restartDaemon',
  openRulesEditor: 'switchyard.openRulesEditor',
  showLog: 'switchyard.showLog',
} as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[keyof typeof WEBVIEW_COMMANDS];

export function isWebviewCommand(value: unknown): value is WebviewCommand {
  return typeof value === 'string' && (Object.values(WEBVIEW_COMMANDS) as string[]).includes(value);
}

// ── Spend sidebar ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * What a recent request's row offers: ask it again with a stronger model, mark its answer overkill, or clear the
 * mark. The host runs the matching command with the request id, nothing else.
 */
export const REQUEST_ACTIONS = ['askAgainStronger', 'markOverkill', 'clearOverkill'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export type SidebarToHost =
  /** The script loaded (first time, or again after the view was hidden and shown): send everything. */
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'runCommand'; command: WebviewCommand }
  /** A conversation was expanded: send its requests. */
  | { type: 'conversationRequests'; key: string }
  /** A recent request's action (see REQUEST_ACTIONS). */
  | { type: 'requestAction'; action: RequestAction; requestId: string };

export type HostToSidebar =
  /**
   * Everything the view shows, at once. `now` is the host's clock, for "2 min ago" and today's bar. `recent` holds
   * the requests outside any conversation; `conversations` is null when the daemon is too old to list them.
   */
  | { type: 'snapshot'; summary: SpendSummary; recent: LedgerEntry[]; conversations: ConversationSpend[] | null; health: ProviderHealth[]; now: number }
  | { type: 'summary'; summary: SpendSummary; now: number }
  | { type: 'conversations'; conversations: ConversationSpend[]; now: number }
  /** One conversation's newest requests, newest first (the answer to `conversationRequests`). */
  | { type: 'conversationRequests'; key: string; entries: LedgerEntry[] }
  /** One new ledger row, pushed live (prepended to the recent list, or counted into its conversation). */
  | { type: 'entry'; entry: LedgerEntry }
  /** A row already shown changed (its overkill mark): replaced where it is listed, not counted again. */
  | { type: 'entryChanged'; entry: LedgerEntry }
  | { type: 'health'; health: ProviderHealth[] }
  | { type: 'loading' }
  | { type: 'disconnected' }
  | { type: 'error'; code: string; message: string };

// ── Rules editor ─────────────────────────────────────────────────────────────────────────────────────────────

export type JsonPath = (string | number)[];

/**
 * One edit of the draft text, applied by the host with jsonc-parser (`modify` + `applyEdits`, or a
 * comment-preserving reorder) so comments and formatting survive.
 */
export type DraftOp =
  /** Set (or create) the value at `path`. */
  | { kind: 'set'; path: JsonPath; value: unknown }
  /** Remove an object member or array element. */
  | { kind: 'remove'; path: JsonPath }
  /** Insert into the array at `path` before `index` (`index` ≥ length appends). */
  | { kind: 'insert'; path: JsonPath; index: number; value: unknown }
  /** Move one element of the array at `path`; comments attached to the element move with it. */
  | { kind: 'move'; path: JsonPath; from: number; to: number }
  /** Rename a member of the object at `path`, keeping its position and value. */
  | { kind: 'renameKey'; path: JsonPath; from: string; to: string };

/** What "Try a prompt" sends; the host adds the draft text. */
export type DryRunRequest = Pick<RouteRequest, 'prompt' | 'task' | 'source' | 'urgency' | 'language'>;

export type RulesEditorToHost =
  | { type: 'ready' }
  /** `version` is the draft version the webview rendered when the user made the edit. */
  | { type: 'edit'; op: DraftOp; version: number }
  | { type: 'dryRun'; request: DryRunRequest }
  | { type: 'replay'; days: number }
  | { type: 'save' }
  /** Drop the draft and load the file as it is on disk now (also answers the "changed on disk" banner). */
  | { type: 'reload' }
  /** Keep the draft after the file changed on disk (hides the banner until the next change). */
  | { type: 'keepDraft' }
  | { type: 'openFile' }
  | { type: 'runCommand'; command: WebviewCommand };

export type RulesEditorErrorContext = 'load' | 'edit' | 'validate' | 'dryRun' | 'replay' | 'save' | 'openFile';

export type HostToRulesEditor =
  /** The draft as text; the webview parses it for display. `dirty` = differs from the file. */
  | { type: 'draft'; text: string; version: number; dirty: boolean; file: string | null; stale: boolean }
  /** Issues for draft `version` (stale answers are dropped by the webview). */
  | { type: 'issues'; version: number; issues: ValidationIssue[] }
  | { type: 'validating'; version: number }
  | { type: 'dryRunResult'; version: number; decision: Decision | null; issues: ValidationIssue[] }
  | { type: 'replayResult'; version: number; days: number; result: ReplayResult }
  | { type: 'saved'; saved: boolean; file: string; issues: ValidationIssue[] }
  /** The file changed on disk while the draft had unsaved edits. */
  | { type: 'externalChange'; file: string | null }
  | { type: 'busy'; what: 'dryRun' | 'replay' | 'save' }
  | { type: 'disconnected' }
  | { type: 'error'; context: RulesEditorErrorContext; code: string; message: string };

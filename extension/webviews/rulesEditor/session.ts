/**
 * The rules editor's host-side logic, without `vscode`. It owns the draft TEXT (the file stays the source of
 * truth): form edits are applied to it with `applyDraftOp`, validation runs debounced on the daemon, dry runs and
 * replays use the draft, Save writes it, and changes made elsewhere (the daemon's `rules.changed`, a file watcher)
 * either update the draft or, when it has unsaved edits, raise a banner. Unit-tested with a fake daemon.
 */
import type { DaemonApi } from '../../daemonApi';
import type { RulesSnapshot } from '../../../shared/protocol';
import {
  isWebviewCommand, type DraftOp, type DryRunRequest, type HostToRulesEditor, type RulesEditorErrorContext, type RulesEditorToHost, type WebviewCommand,
} from '../../../shared/webview';
import { DISCONNECTED, errorCode, errorMessage } from '../host/errors';
import { applyDraftOp, DraftError } from './draft';

export interface RulesEditorDeps {
  daemon: Pick<DaemonApi, 'request' | 'connected'>;
  post: (message: HostToRulesEditor) => unknown;
  runCommand: (command: WebviewCommand) => unknown;
  /** Open the rules file in a text editor. */
  openFile: (file: string) => unknown;
  /** Called when the file path becomes known or changes (the panel watches it). */
  onFile?: (file: string | null) => void;
  now?: () => number;
  validateDebounceMs?: number;
}

const DAY_MS = 86_400_000;
const OP_KINDS = ['set', 'remove', 'insert', 'move', 'renameKey'];

function isPath(p: unknown): boolean {
  return Array.isArray(p) && p.every((s) => typeof s === 'string' || (typeof s === 'number' && Number.isInteger(s) && s >= 0));
}

export function isDraftOp(op: unknown): op is DraftOp {
  if (!op || typeof op !== 'object') return false;
  const o = op as Record<string, unknown>;
  if (!OP_KINDS.includes(o.kind as string) || !isPath(o.path)) return false;
  if (o.kind === 'insert') return Number.isInteger(o.index);
  if (o.kind === 'move') return Number.isInteger(o.from) && Number.isInteger(o.to);
  if (o.kind === 'renameKey') return typeof o.from === 'string' && typeof o.to === 'string' && o.to.length > 0;
  return true;
}

export function isRulesEditorMessage(m: unknown): m is RulesEditorToHost {
  if (!m || typeof m !== 'object') return false;
  const msg = m as Record<string, unknown>;
  switch (msg.type) {
    case 'ready': case 'save': case 'reload': case 'keepDraft': case 'openFile': return true;
    case 'edit': return isDraftOp(msg.op) && typeof msg.version === 'number';
    case 'dryRun': return !!msg.request && typeof msg.request === 'object' && typeof (msg.request as { prompt?: unknown }).prompt === 'string';
    case 'replay': return typeof msg.days === 'number' && msg.days > 0 && msg.days <= 366;
    case 'runCommand': return isWebviewCommand(msg.command);
    default: return false;
  }
}

export class RulesEditorSession {
  /** The draft; null until loaded. */
  text: string | null = null;
  /** The file's text as last read or saved: the draft is dirty when it differs. */
  baseline: string | null = null;
  file: string | null = null;
  stale = false;
  version = 0;
  /** Version of the last edit that moved, added or removed elements: older paths may point elsewhere now. */
  private structuralVersion = 0;
  /** Text from disk that arrived while the draft had unsaved edits (offered by the banner). */
  private pendingDisk: string | null = null;
  private validateTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly deps: RulesEditorDeps) {}

  get dirty(): boolean { return this.text !== null && this.text !== this.baseline; }

  private post(m: HostToRulesEditor) { if (!this.disposed) this.deps.post(m); }

  private fail(context: RulesEditorErrorContext, err: unknown) {
    const code = errorCode(err);
    if (code === DISCONNECTED || !this.deps.daemon.connected) this.post({ type: 'disconnected' });
    else this.post({ type: 'error', context, code, message: errorMessage(err) });
  }

  private postDraft() {
    if (this.text === null) return;
    this.post({ type: 'draft', text: this.text, version: this.version, dirty: this.dirty, file: this.file, stale: this.stale });
  }

  async handle(message: unknown): Promise<void> {
    if (!isRulesEditorMessage(message)) return;
    switch (message.type) {
      case 'ready': return this.ready();
      case 'edit': return this.edit(message.op, message.version);
      case 'dryRun': return this.dryRun(message.request);
      case 'replay': return this.replay(message.days);
      case 'save': return this.save();
      case 'reload': return this.reload();
      case 'keepDraft': this.pendingDisk = null; return;
      case 'openFile':
        if (this.file) this.deps.openFile(this.file);
        else this.post({ type: 'error', context: 'openFile', code: 'E_NO_FILE', message: 'These are the built-in default rules, not a file yet. Save to create .switchyard/rules.json, then open it.' });
        return;
      case 'runCommand': this.deps.runCommand(message.command); return;
    }
  }

  /** The webview (re)loaded: send the draft we have, or load it. */
  async ready(): Promise<void> {
    if (this.text === null) return this.load();
    this.postDraft();
    if (this.pendingDisk !== null) this.post({ type: 'externalChange', file: this.file });
    this.scheduleValidate(0);
  }

  async load(): Promise<void> {
    if (!this.deps.daemon.connected) { this.post({ type: 'disconnected' }); return; }
    try {
      const snap = await this.deps.daemon.request('rules.get', {});
      this.replaceFromDisk(snap.text, snap);
      this.post({ type: 'issues', version: this.version, issues: snap.issues });
    } catch (err) {
      this.fail('load', err);
    }
  }

  private replaceFromDisk(text: string, snap?: Pick<RulesSnapshot, 'file' | 'stale'>) {
    this.text = text;
    this.baseline = text;
    this.pendingDisk = null;
    if (snap) {
      this.stale = snap.stale;
      if (snap.file !== this.file) { this.file = snap.file; this.deps.onFile?.(this.file); }
    }
    this.version++;
    this.structuralVersion = this.version;
    this.postDraft();
  }

  edit(op: DraftOp, basedOn: number): void {
    if (this.text === null) { this.post({ type: 'error', context: 'edit', code: 'E_NOT_LOADED', message: 'The rules are not loaded yet.' }); return; }
    if (basedOn < this.structuralVersion) {
      this.post({ type: 'error', context: 'edit', code: 'E_DRAFT_CONFLICT', message: 'The rules changed while you were editing, so that change was not applied. Check the form and make it again.' });
      this.postDraft();
      return;
    }
    try {
      const next = applyDraftOp(this.text, op);
      if (next === this.text) { this.postDraft(); return; }
      this.text = next;
      this.version++;
      // Paths in edits made against an older draft may now point elsewhere (or, after a rename, recreate the old name).
      if (op.kind !== 'set' || op.value === undefined) this.structuralVersion = this.version;
      this.postDraft();
      this.scheduleValidate();
    } catch (err) {
      const code = err instanceof DraftError ? err.code : 'E_INTERNAL';
      this.post({ type: 'error', context: 'edit', code, message: errorMessage(err) });
      this.postDraft();
    }
  }

  scheduleValidate(delay = this.deps.validateDebounceMs ?? 300): void {
    if (this.validateTimer) clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => { this.validateTimer = undefined; void this.validate(); }, delay);
  }

  async validate(): Promise<void> {
    if (this.text === null || this.disposed) return;
    const version = this.version;
    if (!this.deps.daemon.connected) { this.post({ type: 'disconnected' }); return; }
    this.post({ type: 'validating', version });
    try {
      const { issues } = await this.deps.daemon.request('rules.validate', { text: this.text });
      this.post({ type: 'issues', version, issues });
    } catch (err) {
      this.fail('validate', err);
    }
  }

  async dryRun(request: DryRunRequest): Promise<void> {
    if (this.text === null) return;
    const version = this.version;
    this.post({ type: 'busy', what: 'dryRun' });
    try {
      // Empty fields mean "not set", so the request looks like one from the editor without those hints.
      const clean = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined && v !== '')) as Partial<DryRunRequest>;
      const { issues, decision } = await this.deps.daemon.request('rules.dryRun', { text: this.text, request: { ...clean, prompt: request.prompt } });
      this.post({ type: 'dryRunResult', version, decision, issues });
    } catch (err) {
      this.fail('dryRun', err);
    }
  }

  async replay(days: number): Promise<void> {
    if (this.text === null) return;
    const version = this.version;
    this.post({ type: 'busy', what: 'replay' });
    try {
      const now = (this.deps.now ?? Date.now)();
      const result = await this.deps.daemon.request('replay', { text: this.text, sinceMs: now - days * DAY_MS });
      this.post({ type: 'replayResult', version, days, result });
    } catch (err) {
      this.fail('replay', err);
    }
  }

  async save(): Promise<void> {
    if (this.text === null) return;
    const text = this.text;
    this.post({ type: 'busy', what: 'save' });
    try {
      const res = await this.deps.daemon.request('rules.save', { text });
      if (res.saved) {
        this.baseline = text;
        this.pendingDisk = null;
        if (res.file !== this.file) { this.file = res.file; this.deps.onFile?.(this.file); }
        this.stale = false;
      }
      this.post({ type: 'saved', saved: res.saved, file: res.file, issues: res.issues });
      this.post({ type: 'issues', version: this.version, issues: res.issues });
      this.postDraft();
    } catch (err) {
      this.fail('save', err);
    }
  }

  /** Discard the draft: take the text that arrived from disk, or fetch it. */
  async reload(): Promise<void> {
    if (this.pendingDisk !== null) {
      this.replaceFromDisk(this.pendingDisk);
      this.scheduleValidate(0);
      return;
    }
    return this.load();
  }

  /** The file changed outside the editor (daemon `rules.changed`, or the file watcher read it). */
  onDiskText(text: string, snap?: Pick<RulesSnapshot, 'file' | 'stale'>): void {
    if (this.text === null) return;
    if (text === this.baseline) {
      if (snap) this.stale = snap.stale;
      return;
    }
    if (!this.dirty || text === this.text) {
      this.replaceFromDisk(text, snap);
      this.scheduleValidate(0);
      return;
    }
    this.baseline = text;
    this.pendingDisk = text;
    if (snap) this.stale = snap.stale;
    this.post({ type: 'externalChange', file: snap?.file ?? this.file });
    this.postDraft();
  }

  onRulesChanged(snap: RulesSnapshot): void {
    this.onDiskText(snap.text, snap);
  }

  onConnectionChanged(connected: boolean): void {
    if (!connected) { this.post({ type: 'disconnected' }); return; }
    if (this.text === null) void this.load();
    else { this.postDraft(); this.scheduleValidate(0); }
  }

  dispose(): void {
    this.disposed = true;
    if (this.validateTimer) clearTimeout(this.validateTimer);
  }
}

/**
 * The spend sidebar's host-side logic, without `vscode`: answers the webview's messages from the daemon and
 * pushes live updates (a new ledger row at once; the summary, and the conversations when a row belongs to one,
 * debounced; health as it changes). The provider in `provider.ts` only wires it to a WebviewView and DaemonApi
 * events. Unit-tested with a fake daemon.
 */
import type { DaemonApi } from '../../daemonApi';
import { ErrorCodes, type ConversationSpend, type Events } from '../../../shared/protocol';
import { isWebviewCommand, REQUEST_ACTIONS, type HostToSidebar, type RequestAction, type SidebarToHost, type WebviewCommand } from '../../../shared/webview';
import { DISCONNECTED, errorCode, errorMessage } from '../host/errors';

export interface SidebarDeps {
  daemon: Pick<DaemonApi, 'request' | 'connected'>;
  post: (message: HostToSidebar) => unknown;
  runCommand: (command: WebviewCommand) => unknown;
  /** A recent request's action: runs Ask Again With a Stronger Model or Mark Answer as Overkill for that id. */
  runRequestAction?: (action: RequestAction, requestId: string) => unknown;
  now?: () => number;
  recentLimit?: number;
  /** Conversations listed (the most recently active). */
  conversationLimit?: number;
  /** Requests shown when a conversation is expanded (its newest). */
  conversationRequestLimit?: number;
  /** Coalesces bursts of `spend.updated` into one summary (and conversations) fetch. */
  summaryDebounceMs?: number;
}

/** Conversation keys come from callers (a header, metadata.user_id…); a longer one is not a key the ledger holds. */
const MAX_KEY_LENGTH = 1024;

export function isSidebarMessage(m: unknown): m is SidebarToHost {
  if (!m || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready' || t === 'refresh') return true;
  if (t === 'conversationRequests') {
    const key = (m as { key?: unknown }).key;
    return typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_LENGTH;
  }
  if (t === 'requestAction') {
    const { action, requestId } = m as { action?: unknown; requestId?: unknown };
    return (REQUEST_ACTIONS as readonly unknown[]).includes(action) && typeof requestId === 'string' && requestId.length > 0 && requestId.length <= MAX_KEY_LENGTH;
  }
  return t === 'runCommand' && isWebviewCommand((m as { command?: unknown }).command);
}

export class SidebarController {
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A row of the current burst belongs to a conversation: refetch the conversations with the summary. */
  private conversationsChanged = false;
  private generation = 0;
  private disposed = false;

  constructor(private readonly deps: SidebarDeps) {}

  private now() { return (this.deps.now ?? Date.now)(); }
  private post(m: HostToSidebar) { if (!this.disposed) this.deps.post(m); }

  async handle(message: unknown): Promise<void> {
    if (!isSidebarMessage(message)) return;
    switch (message.type) {
      case 'ready':
      case 'refresh': return this.refresh();
      case 'conversationRequests': return this.conversationRequests(message.key);
      case 'runCommand': this.deps.runCommand(message.command); return;
      case 'requestAction': this.deps.runRequestAction?.(message.action, message.requestId); return;
    }
  }

  /** Fetch everything and post one snapshot (or the disconnected / error state). */
  async refresh(): Promise<void> {
    const gen = ++this.generation;
    if (!this.deps.daemon.connected) { this.post({ type: 'disconnected' }); return; }
    this.post({ type: 'loading' });
    try {
      const [summary, recent, conversations, health] = await Promise.all([
        this.deps.daemon.request('spend.summary', {}),
        this.deps.daemon.request('spend.recent', { limit: this.deps.recentLimit ?? 25, conversation: null }),
        this.conversations(),
        this.deps.daemon.request('providers.health', {}),
      ]);
      if (gen !== this.generation) return;
      this.post({ type: 'snapshot', summary, recent, conversations, health, now: this.now() });
    } catch (err) {
      if (gen !== this.generation) return;
      this.fail(err);
    }
  }

  /** Null from a daemon older than this extension (no `spend.conversations`): the view says to restart it. */
  private conversations(): Promise<ConversationSpend[] | null> {
    return this.deps.daemon.request('spend.conversations', { limit: this.deps.conversationLimit ?? 20 }).catch((err: unknown) => {
      if (errorCode(err) === ErrorCodes.unknownMethod) return null;
      throw err;
    });
  }

  private async conversationRequests(key: string): Promise<void> {
    if (!this.deps.daemon.connected) { this.post({ type: 'disconnected' }); return; }
    try {
      const entries = await this.deps.daemon.request('spend.recent', { limit: this.deps.conversationRequestLimit ?? 50, conversation: key });
      this.post({ type: 'conversationRequests', key, entries });
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown) {
    const code = errorCode(err);
    if (code === DISCONNECTED || !this.deps.daemon.connected) this.post({ type: 'disconnected' });
    else this.post({ type: 'error', code, message: errorMessage(err) });
  }

  onSpendUpdated(data: Events['spend.updated']): void {
    this.post({ type: 'entry', entry: data.entry });
    if (data.entry.conversation) this.conversationsChanged = true;
    this.summarySoon();
  }

  /** A row's overkill mark changed: the row is replaced, and the summary (its escalation rates) fetched again. */
  onSpendChanged(data: Events['spend.changed']): void {
    this.post({ type: 'entryChanged', entry: data.entry });
    this.summarySoon();
  }

  private summarySoon(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.deps.daemon.request('spend.summary', {}).then(
        (summary) => this.post({ type: 'summary', summary, now: this.now() }),
        (err) => this.fail(err),
      );
      if (!this.conversationsChanged) return;
      this.conversationsChanged = false;
      this.conversations().then(
        (conversations) => { if (conversations) this.post({ type: 'conversations', conversations, now: this.now() }); },
        (err) => this.fail(err),
      );
    }, this.deps.summaryDebounceMs ?? 250);
  }

  onHealthChanged(health: Events['health.changed']): void {
    this.post({ type: 'health', health });
  }

  onConnectionChanged(connected: boolean): void {
    if (connected) void this.refresh();
    else { this.generation++; this.post({ type: 'disconnected' }); }
  }

  dispose(): void {
    this.disposed = true;
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
  }
}

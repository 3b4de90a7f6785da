/**
 * The spend sidebar's host-side logic, without `vscode`: answers the webview's messages from the daemon and
 * pushes live updates (a new ledger row at once, the summary debounced, health as it changes). The provider in
 * `provider.ts` only wires it to a WebviewView and DaemonApi events. Unit-tested with a fake daemon.
 */
import type { DaemonApi } from '../../daemonApi';
import type { Events } from '../../../shared/protocol';
import { isWebviewCommand, type HostToSidebar, type SidebarToHost, type WebviewCommand } from '../../../shared/webview';
import { DISCONNECTED, errorCode, errorMessage } from '../host/errors';

export interface SidebarDeps {
  daemon: Pick<DaemonApi, 'request' | 'connected'>;
  post: (message: HostToSidebar) => unknown;
  runCommand: (command: WebviewCommand) => unknown;
  now?: () => number;
  recentLimit?: number;
  /** Coalesces bursts of `spend.updated` into one summary fetch. */
  summaryDebounceMs?: number;
}

export function isSidebarMessage(m: unknown): m is SidebarToHost {
  if (!m || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready' || t === 'refresh') return true;
  return t === 'runCommand' && isWebviewCommand((m as { command?: unknown }).command);
}

export class SidebarController {
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
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
      case 'runCommand': this.deps.runCommand(message.command); return;
    }
  }

  /** Fetch everything and post one snapshot (or the disconnected / error state). */
  async refresh(): Promise<void> {
    const gen = ++this.generation;
    if (!this.deps.daemon.connected) { this.post({ type: 'disconnected' }); return; }
    this.post({ type: 'loading' });
    try {
      const [summary, recent, health] = await Promise.all([
        this.deps.daemon.request('spend.summary', {}),
        this.deps.daemon.request('spend.recent', { limit: this.deps.recentLimit ?? 25 }),
        this.deps.daemon.request('providers.health', {}),
      ]);
      if (gen !== this.generation) return;
      this.post({ type: 'snapshot', summary, recent, health, now: this.now() });
    } catch (err) {
      if (gen !== this.generation) return;
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
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.deps.daemon.request('spend.summary', {}).then(
        (summary) => this.post({ type: 'summary', summary, now: this.now() }),
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

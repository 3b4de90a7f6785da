/**
 * The status bar item: today's spend vs the daily budget, daemon and provider health, fallbacks as they happen.
 * Click → Show Spend. All decisions about text and colour are in state.ts.
 */
import * as vscode from 'vscode';
import type { ProviderHealth, RulesSnapshot, SpendSummary } from '../../shared/protocol';
import { errorMessage } from '../daemon/client';
import type { DaemonConnection } from '../daemon/connection';
import { debounce } from '../util/debounce';
import { statusView, type LastRequest } from './state';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private summary: SpendSummary | null = null;
  private health: ProviderHealth[] | null = null;
  private lastRequest: LastRequest | null = null;
  private activity: { text: string; fallback?: boolean } | null = null;
  private rules: RulesSnapshot | null = null;
  private readonly refreshSoon = debounce(() => void this.refresh(), 300);
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly daemon: DaemonConnection, private readonly log: vscode.LogOutputChannel) {
    this.item = vscode.window.createStatusBarItem('switchyard.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Switchyard';
    this.item.command = 'switchyard.showSpend';
    this.disposables.push(
      this.item,
      daemon.onDidChangeConnection((connected) => (connected ? this.refreshSoon() : this.render())),
      daemon.on('spend.updated', () => this.refreshSoon()),
      daemon.on('rules.changed', (snap) => {
        this.rules = snap;
        this.render();
        this.refreshSoon();
      }),
      daemon.on('health.changed', (health) => {
        this.health = health;
        this.render();
      }),
    );
    this.render();
    this.item.show();
  }

  /** Fetches summary and health from the daemon. */
  async refresh(): Promise<void> {
    if (!this.daemon.connected) return this.render();
    try {
      const [summary, health, rules] = await Promise.all([
        this.daemon.request('spend.summary', {}),
        this.daemon.request('providers.health', {}),
        this.daemon.request('rules.get', {}),
      ]);
      this.summary = summary;
      this.health = health;
      this.rules = rules;
    } catch (err) {
      this.log.debug(`status: refresh failed: ${errorMessage(err)}`);
    }
    this.render();
  }

  /** A request started (`gpt-4o-… · streaming`). */
  beginRequest(text: string): void {
    this.activity = { text };
    this.render();
  }

  /** A fallback happened during the request in flight. */
  showFallback(text: string): void {
    this.activity = { text, fallback: true };
    this.render();
  }

  endRequest(last: LastRequest | null): void {
    this.activity = null;
    if (last) this.lastRequest = last;
    this.render();
  }

  private render(): void {
    const now = Date.now();
    const view = statusView({
      connected: this.daemon.connected,
      daemon: this.daemon.details,
      summary: this.daemon.connected ? this.summary : null,
      health: this.daemon.connected ? this.health : null,
      lastRequest: this.lastRequest,
      activity: this.activity,
      now,
      rules: this.rules,
      disconnectReason: this.daemon.lastError,
    });
    this.item.text = view.text;
    this.item.command = view.command;
    const tooltip = new vscode.MarkdownString(view.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      view.background === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.background === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.item.accessibilityInformation = { label: `Switchyard: ${view.text.replace(/\$\([^)]+\)\s*/g, '')}` };
    // Open circuits close on their own: re-render while any is open so "for N s more" stays true.
    const anyOpen = (this.health ?? []).some((h) => h.state === 'open');
    if (anyOpen && !this.ticker) this.ticker = setInterval(() => void this.refresh(), 5_000);
    if (!anyOpen && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    this.refreshSoon.cancel();
    if (this.ticker) clearInterval(this.ticker);
    for (const d of this.disposables) d.dispose();
  }
}

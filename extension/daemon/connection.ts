/**
 * The extension's one authenticated connection to the daemon (implements DaemonApi for every surface): finds
 * or spawns the shared daemon, reconnects with backoff, says `hello` and hands over the stored API keys on every
 * (re)connect.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EventName, Events, MethodName, Params, Result } from '../../shared/protocol';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { readSettings } from '../config';
import type { DaemonApi } from '../daemonApi';
import type { ApiKeyStore } from '../keys/apiKeyStore';
import { WORKSPACE_RULES, WORKSPACE_RULES_DIR, workspaceRulesFile } from '../rulesLocation';
import { DaemonClient, errorMessage, type Endpoint } from './client';
import { resolveHome, wsUrl } from './discovery';
import { ensureDaemon, stopDaemon } from './spawn';

export interface DaemonDetails {
  version?: string;
  pid?: number;
  rulesFile?: string | null;
}

export class DaemonConnection implements DaemonApi, vscode.Disposable {
  private readonly client: DaemonClient;
  private readonly changed = new vscode.EventEmitter<boolean>();
  readonly onDidChangeConnection = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private lastResolveError = '';
  private detailsValue: DaemonDetails | null = null;
  private restarting: Promise<void> | null = null;
  /** What this window last named as its rules in `hello`, and why the daemon would not use it. */
  private named: { rulesFile: string | null; error?: string } | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly keys: ApiKeyStore,
  ) {
    this.client = new DaemonClient({
      resolve: () => this.resolveEndpoint(),
      onConnect: (client, endpoint) => this.handshake(client, endpoint),
      log,
    });
    const sub = this.client.onDidChangeConnection((connected) => {
      if (!connected) {
        this.detailsValue = null;
        this.log.warn('daemon: disconnected');
      }
      this.changed.fire(connected);
    });
    this.disposables.push(
      this.changed,
      { dispose: () => sub.dispose() },
      keys.onDidChange((provider) => void this.handKey(provider)),
      this.on('rules.changed', (snapshot) => {
        this.log.info(`daemon: rules changed (${snapshot.file ?? 'built-in defaults'}${snapshot.stale ? ', invalid on disk: serving the last good version' : ''})`);
      }),
    );
    // The daemon hot-reloads a rules file it uses; a workspace file that appears, goes, or is fixed after the
    // daemon refused it is named again.
    // The folder too: deleting `.switchyard` reports the folder, not the file in it.
    const watcher = vscode.workspace.createFileSystemWatcher(`**/{${WORKSPACE_RULES_DIR},${WORKSPACE_RULES.replace(/\\/g, '/')}}`);
    this.disposables.push(watcher, watcher.onDidCreate(() => void this.renameRules()), watcher.onDidDelete(() => void this.renameRules()),
      watcher.onDidChange(() => { if (this.named?.error) void this.renameRules(); }));
  }

  /** Names this window's rules to the daemon again if they are not what it last named (trust granted, a new file…). */
  async renameRules(): Promise<void> {
    if (!this.connected || !this.named) return;
    if (workspaceRulesFile() === this.named.rulesFile && !this.named.error) return;
    try {
      const hello = await this.hello(this.client);
      if (this.detailsValue) this.detailsValue = { ...this.detailsValue, rulesFile: hello.rulesFile };
      this.log.info(`daemon: this window now routes by ${hello.rulesFile ?? 'the built-in defaults'}`);
    } catch (err) {
      this.log.warn(`daemon: naming this window's rules failed: ${errorMessage(err)}`);
    }
  }

  /** The daemon's home folder per settings and environment. */
  get home(): string {
    return resolveHome(readSettings().daemonHome);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Why the daemon could not be found or started, while disconnected ('' when it is not known). */
  get lastError(): string {
    return this.connected ? '' : this.lastResolveError;
  }

  /** Version, pid and rules file of the connected daemon. */
  get details(): DaemonDetails | null {
    return this.detailsValue;
  }

  start(): void {
    this.log.info(`daemon: looking for a running daemon in ${this.home}`);
    this.client.start();
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    return this.client.request(method, params);
  }

  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): vscode.Disposable {
    const sub = this.client.on(event, listener);
    return new vscode.Disposable(() => sub.dispose());
  }

  /** Stops the shared daemon (every window reconnects) and starts a fresh one. */
  async restart(): Promise<void> {
    const home = this.home;
    this.log.info(`daemon: restart requested (home ${home})`);
    // Hold the reconnect loop until the old daemon is gone, so it neither reconnects to the draining one nor
    // races it for the lock.
    let done!: () => void;
    this.restarting = new Promise<void>((r) => (done = r));
    try {
      const stopped = await stopDaemon(home);
      this.log.info(stopped ? 'daemon: stopped the running daemon' : 'daemon: none was running');
    } finally {
      this.restarting = null;
      done();
    }
    this.lastResolveError = '';
    this.client.reconnect();
  }

  /** Re-resolves at once (after a settings change). */
  reconnect(): void {
    this.lastResolveError = '';
    this.client.reconnect();
  }

  private async resolveEndpoint(): Promise<Endpoint> {
    while (this.restarting) await this.restarting;
    const settings = readSettings();
    const home = resolveHome(settings.daemonHome);
    const daemonScript = join(this.context.extensionPath, 'dist', 'daemon.js');
    try {
      if (!existsSync(daemonScript)) throw new Error(`the bundled daemon is missing (${daemonScript}); run the build`);
      // Started without --rules: the daemon's own rules are the user's; this window names its own in hello.
      const info = await ensureDaemon({ daemonScript, home, port: settings.daemonPort, log: this.log });
      this.lastResolveError = '';
      return { url: wsUrl(info.port), token: info.token, pid: info.pid, version: info.version };
    } catch (err) {
      const message = errorMessage(err);
      // Log each distinct failure once; the reconnect loop keeps trying with backoff.
      if (message !== this.lastResolveError) {
        this.log.error(`daemon: ${message}`);
        // A home folder the daemon refuses will not fix itself by retrying: say so, with the fix it names.
        if (/refusing to use/.test(message)) {
          void vscode.window.showErrorMessage(`Switchyard cannot start its daemon: ${message.replace(/^[\s\S]*?(refusing to use)/, '$1')}`, 'Show Log').then((choice) => { if (choice) this.log.show(); });
        }
      }
      const changedReason = message !== this.lastResolveError;
      this.lastResolveError = message;
      // Still disconnected, now with a (new) reason: the status bar shows it.
      if (changedReason) this.changed.fire(false);
      throw err;
    }
  }

  private async handshake(client: DaemonClient, endpoint: Endpoint): Promise<void> {
    const hello = await this.hello(client);
    this.detailsValue = { version: hello.daemonVersion, pid: endpoint.pid, rulesFile: hello.rulesFile };
    this.log.info(`daemon: connected to ${endpoint.url} (daemon ${hello.daemonVersion}, pid ${endpoint.pid ?? '?'}, rules ${hello.rulesFile ?? 'built-in defaults'})`);
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.log.warn(`daemon: speaks protocol ${hello.protocol}, this extension ${PROTOCOL_VERSION}; restart the daemon after updating`);
    }
    const keys = await this.keys.all();
    for (const [provider, key] of keys) {
      await client.request('keys.set', { provider, key });
    }
    if (keys.size) this.log.info(`daemon: handed over API keys for ${[...keys.keys()].join(', ')}`);
  }

  /**
   * `hello`, naming this window's rules: a trusted workspace's `.switchyard/rules.json`, else none (the daemon's
   * own: the user's rules or the built-in defaults).
   */
  private async hello(client: DaemonClient): Promise<Result<'hello'>> {
    const rulesFile = workspaceRulesFile();
    const hello = await client.request('hello', { client: 'vscode', version: String(this.context.extension.packageJSON.version ?? '0.0.0'), rulesFile });
    const repeated = this.named?.error === hello.rulesError;
    this.named = { rulesFile, error: hello.rulesError };
    if (hello.rulesError && !repeated) {
      this.log.error(`daemon: ${hello.rulesError}; routing by ${hello.rulesFile ?? 'the built-in defaults'} until it is fixed`);
      void vscode.window.showWarningMessage(`Switchyard: this workspace's rules file has errors, so its requests route by ${hello.rulesFile ? 'your user rules' : 'the built-in defaults'} until you fix it.`, 'Open Rules File').then((choice) => {
        if (choice) void vscode.commands.executeCommand('switchyard.openRulesFile');
      });
    }
    return hello;
  }

  private async handKey(provider: string): Promise<void> {
    if (!this.connected) return;
    try {
      const key = (await this.keys.get(provider)) ?? null;
      await this.request('keys.set', { provider, key });
      this.log.info(`daemon: ${key ? 'updated' : 'removed'} the API key for ${provider}`);
    } catch (err) {
      this.log.error(`daemon: keys.set for ${provider} failed: ${errorMessage(err)}`);
    }
  }

  dispose(): void {
    this.client.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

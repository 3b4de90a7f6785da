/**
 * The rules editor as a WebviewPanel (one instance, revealed when already open): wires RulesEditorSession to the
 * panel, to DaemonApi (`rules.changed`, connection) and to a FileSystemWatcher on the rules file.
 */
import * as vscode from 'vscode';
import type { DaemonApi } from '../../daemonApi';
import { WEBVIEW_COMMANDS, type HostToRulesEditor } from '../../../shared/webview';
import { renderShell, webviewOptions } from '../host/vscodeShell';
import { RulesEditorSession } from './session';

export class RulesEditorPanel implements vscode.Disposable {
  static readonly viewType = 'switchyard.rulesEditor';
  static readonly command = WEBVIEW_COMMANDS.openRulesEditor;
  /** The one open panel, if any. */
  static current: RulesEditorPanel | undefined;

  private readonly session: RulesEditorSession;
  private readonly disposables: vscode.Disposable[] = [];
  private watcher: vscode.Disposable | undefined;
  private disposed = false;

  static show(extensionUri: vscode.Uri, daemon: DaemonApi): RulesEditorPanel {
    if (RulesEditorPanel.current) {
      RulesEditorPanel.current.panel.reveal();
      return RulesEditorPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(RulesEditorPanel.viewType, 'Switchyard Rules', vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      enableFindWidget: true,
    });
    RulesEditorPanel.current = new RulesEditorPanel(panel, extensionUri, daemon);
    return RulesEditorPanel.current;
  }

  /** Restore a panel VS Code kept across a reload (registerWebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, daemon: DaemonApi): void {
    RulesEditorPanel.current?.dispose();
    panel.webview.options = webviewOptions(extensionUri);
    RulesEditorPanel.current = new RulesEditorPanel(panel, extensionUri, daemon);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, daemon: DaemonApi) {
    const webview = panel.webview;
    this.session = new RulesEditorSession({
      daemon,
      post: (m: HostToRulesEditor) => void webview.postMessage(m),
      runCommand: (command) => vscode.commands.executeCommand(command).then(undefined, (err: unknown) => {
        void vscode.window.showErrorMessage(`Switchyard: could not run ${command}: ${err instanceof Error ? err.message : String(err)}`);
      }),
      openFile: (file) => vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preview: false }),
      onFile: (file) => this.watch(file),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.session.handle(m)),
      daemon.on('rules.changed', (snap) => this.session.onRulesChanged(snap)),
      daemon.onDidChangeConnection((connected) => this.session.onConnectionChanged(connected)),
      panel.onDidDispose(() => this.dispose()),
    );
    webview.html = renderShell(webview, extensionUri, 'rulesEditor', 'Switchyard Rules');
  }

  /** Hand edits also arrive through the daemon's `rules.changed`; the watcher covers a daemon that lags or is down. */
  private watch(file: string | null) {
    this.watcher?.dispose();
    this.watcher = undefined;
    if (!file) return;
    const uri = vscode.Uri.file(file);
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop()!));
    const read = async () => {
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        this.session.onDiskText(new TextDecoder().decode(bytes));
      } catch {
        // Deleted or unreadable: the daemon reports what it falls back to via rules.changed.
      }
    };
    this.watcher = vscode.Disposable.from(w, w.onDidChange(read), w.onDidCreate(read));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (RulesEditorPanel.current === this) RulesEditorPanel.current = undefined;
    this.session.dispose();
    this.watcher?.dispose();
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.panel.dispose();
  }
}

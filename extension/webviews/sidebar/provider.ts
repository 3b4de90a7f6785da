/** The spend sidebar as a WebviewViewProvider: wires SidebarController to the view and to DaemonApi events. */
import * as vscode from 'vscode';
import type { DaemonApi } from '../../daemonApi';
import type { HostToSidebar } from '../../../shared/webview';
import { renderShell, webviewOptions } from '../host/vscodeShell';
import { ASK_AGAIN_STRONGER_COMMAND, MARK_OVERKILL_COMMAND } from '../../requests/runner';
import { SidebarController } from './controller';

export class SpendSidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'switchyard.spend';

  private controller: SidebarController | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly daemon: DaemonApi) {
    // Live updates: forwarded only while a view exists (a hidden view re-fetches everything when shown).
    this.disposables.push(
      daemon.on('spend.updated', (data) => this.controller?.onSpendUpdated(data)),
      daemon.on('spend.changed', (data) => this.controller?.onSpendChanged(data)),
      daemon.on('health.changed', (data) => this.controller?.onHealthChanged(data)),
      daemon.onDidChangeConnection((connected) => this.controller?.onConnectionChanged(connected)),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.controller?.dispose();
    const webview = view.webview;
    webview.options = webviewOptions(this.extensionUri);
    const controller = new SidebarController({
      daemon: this.daemon,
      post: (m: HostToSidebar) => { if (view.visible) void webview.postMessage(m); },
      runCommand: (command) => vscode.commands.executeCommand(command).then(undefined, (err: unknown) => {
        void vscode.window.showErrorMessage(`Switchyard: could not run ${command}: ${err instanceof Error ? err.message : String(err)}`);
      }),
      runRequestAction: (action, requestId) => {
        const [command, args] = action === 'askAgainStronger' ? [ASK_AGAIN_STRONGER_COMMAND, { requestId }]
          : [MARK_OVERKILL_COMMAND, { requestId, mark: action === 'markOverkill' ? 'overkill' : null }];
        return vscode.commands.executeCommand(command, args).then(undefined, (err: unknown) => {
          void vscode.window.showErrorMessage(`Switchyard: could not run ${command}: ${err instanceof Error ? err.message : String(err)}`);
        });
      },
    });
    this.controller = controller;
    // Without retainContextWhenHidden the page reloads when shown again; its script then posts `ready` itself
    // and gets a fresh snapshot, so nothing is pushed while the view is hidden.
    const subs = [webview.onDidReceiveMessage((m: unknown) => controller.handle(m))];
    view.onDidDispose(() => {
      controller.dispose();
      subs.forEach((d) => d.dispose());
      if (this.controller === controller) this.controller = undefined;
    });
    webview.html = renderShell(webview, this.extensionUri, 'sidebar', 'Switchyard spend');
  }

  dispose(): void {
    this.controller?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

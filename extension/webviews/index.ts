/**
 * The two webviews: the spend sidebar (a WebviewView in the Switchyard activity-bar container) and the rules
 * editor (a WebviewPanel). extension.ts calls these two functions; package.json contributes the view
 * `switchyard.spend` and the command `switchyard.openRulesEditor`.
 */
import * as vscode from 'vscode';
import type { DaemonApi } from '../daemonApi';
import { RulesEditorPanel } from './rulesEditor/panel';
import { SpendSidebarProvider } from './sidebar/provider';

export { SpendSidebarProvider } from './sidebar/provider';
export { RulesEditorPanel } from './rulesEditor/panel';

export function registerSpendSidebar(context: vscode.ExtensionContext, daemon: DaemonApi): vscode.Disposable {
  const provider = new SpendSidebarProvider(context.extensionUri, daemon);
  return vscode.Disposable.from(
    provider,
    vscode.window.registerWebviewViewProvider(SpendSidebarProvider.viewType, provider),
  );
}

export function registerRulesEditor(context: vscode.ExtensionContext, daemon: DaemonApi): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(RulesEditorPanel.command, () => { RulesEditorPanel.show(context.extensionUri, daemon); }),
    vscode.window.registerWebviewPanelSerializer(RulesEditorPanel.viewType, {
      deserializeWebviewPanel: async (panel) => RulesEditorPanel.revive(panel, context.extensionUri, daemon),
    }),
    { dispose: () => RulesEditorPanel.current?.dispose() },
  );
}

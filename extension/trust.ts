/**
 * Workspace trust and settings that need a reconnect: a workspace's rules file is used only once the workspace
 * is trusted — then this window names it to the daemon.
 */
import * as vscode from 'vscode';
import { workspaceRulesFile } from './rulesLocation';
import type { Services } from './services';

export function registerWorkspaceTrust(services: Services): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      const file = workspaceRulesFile();
      if (!file) return;
      services.log.info(`trust: workspace trusted; routing by its rules file ${file}`);
      void services.daemon.renameRules();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('switchyard.daemon.home') || e.affectsConfiguration('switchyard.daemon.port')) {
        services.log.info('settings: daemon home or port changed; reconnecting');
        services.daemon.reconnect();
      }
    }),
  );
}

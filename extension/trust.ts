/**
 * Workspace trust and settings that need a reconnect: a workspace's rules file is used only once the workspace
 * is trusted, and the daemon picks it up when it starts — so offer a restart when trust is granted.
 */
import * as vscode from 'vscode';
import { workspaceRulesFile } from './rulesLocation';
import type { Services } from './services';

export function registerWorkspaceTrust(services: Services): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      const file = workspaceRulesFile();
      if (!file) return;
      services.log.info(`trust: workspace trusted; its rules file ${file} can now be used`);
      const choice = await vscode.window.showInformationMessage(
        'Switchyard: this workspace has its own rules (.switchyard/rules.json). Restart the daemon to use them?',
        'Restart Daemon',
      );
      if (choice) await vscode.commands.executeCommand('switchyard.restartDaemon');
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('switchyard.daemon.home') || e.affectsConfiguration('switchyard.daemon.port')) {
        services.log.info('settings: daemon home or port changed; reconnecting');
        services.daemon.reconnect();
      }
    }),
  );
}

/** Switchyard: Restart Daemon, Show Log, Show Spend. */
import * as vscode from 'vscode';
import { errorMessage } from '../daemon/client';
import type { Services } from '../services';
import { whenConnected } from '../util/connection';

export const RESTART_DAEMON_COMMAND = 'switchyard.restartDaemon';
export const SHOW_LOG_COMMAND = 'switchyard.showLog';
export const SHOW_SPEND_COMMAND = 'switchyard.showSpend';
/** The spend sidebar's webview view (registered by extension/webviews). */
export const SPEND_VIEW_ID = 'switchyard.spend';

export function registerDaemonCommands(services: Services): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(RESTART_DAEMON_COMMAND, () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Switchyard: restarting the daemon…' }, async () => {
        try {
          await services.daemon.restart();
          const ok = await whenConnected(services.daemon, 20_000);
          if (ok) void vscode.window.showInformationMessage('Switchyard: the daemon is running again.');
          else void vscode.window.showErrorMessage('Switchyard: the daemon did not come back; see the log.', 'Show Log').then((c) => c && services.log.show());
        } catch (err) {
          void vscode.window.showErrorMessage(`Switchyard: restart failed: ${errorMessage(err)}`);
        }
      }),
    ),
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => services.log.show()),
    vscode.commands.registerCommand(SHOW_SPEND_COMMAND, () => vscode.commands.executeCommand(`${SPEND_VIEW_ID}.focus`)),
  );
}

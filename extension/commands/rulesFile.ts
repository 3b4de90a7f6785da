/**
 * Switchyard: Open Rules File — the trusted workspace's `.switchyard/rules.json` if present, else the user's
 * `<home>/rules.json`; offers to create one from the daemon's current rules (`rules.get`: the defaults when no
 * file is in use).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../daemon/client';
import { userRulesFile, workspaceRulesFile, WORKSPACE_RULES } from '../rulesLocation';
import type { Services } from '../services';

export const OPEN_RULES_FILE_COMMAND = 'switchyard.openRulesFile';

async function open(file: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc, { preview: false });
}

export function registerOpenRulesFile(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(OPEN_RULES_FILE_COMMAND, async () => {
    const inWorkspace = workspaceRulesFile();
    if (inWorkspace) return open(inWorkspace);
    const userFile = userRulesFile(services.daemon.home);
    if (existsSync(userFile)) return open(userFile);

    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    const choices: (vscode.QuickPickItem & { file: string })[] = [
      { label: 'For me (all workspaces)', description: userFile, file: userFile },
    ];
    if (folder && vscode.workspace.isTrusted) {
      choices.push({ label: 'For this workspace', description: join(folder.uri.fsPath, WORKSPACE_RULES), file: join(folder.uri.fsPath, WORKSPACE_RULES) });
    }
    const pick = await vscode.window.showQuickPick(choices, {
      title: 'Switchyard: no rules file yet — create one from the current rules?',
      placeHolder: 'Where should the rules file live?',
    });
    if (!pick) return;
    if (!services.daemon.connected) {
      void vscode.window.showErrorMessage('Switchyard: the daemon is not connected, so the default rules are not available. Try again in a moment.');
      return;
    }
    try {
      const snapshot = await services.daemon.request('rules.get', {});
      await mkdir(dirname(pick.file), { recursive: true });
      await writeFile(pick.file, snapshot.text.endsWith('\n') ? snapshot.text : `${snapshot.text}\n`, { flag: 'wx' });
      services.log.info(`rules: created ${pick.file} from ${snapshot.file ?? 'the built-in defaults'}`);
      // No restart needed: a new workspace file is named to the daemon by this window (DaemonConnection's
      // watcher), and a new user file is adopted by the daemon serving the defaults (RulesManager).
      await open(pick.file);
    } catch (err) {
      void vscode.window.showErrorMessage(`Switchyard: could not create ${pick.file}: ${errorMessage(err)}`);
    }
  });
}

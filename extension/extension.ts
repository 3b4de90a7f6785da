/** Activation: creates the daemon connection and the surfaces, tracks every disposable. Wiring only. */
import * as vscode from 'vscode';
import { registerAsk } from './commands/ask';
import { registerDaemonCommands } from './commands/daemon';
import { registerEscalation } from './commands/escalate';
import { registerExplain } from './commands/explain';
import { registerFixProblem } from './commands/fixProblem';
import { registerRefactor } from './commands/refactor';
import { registerOpenRulesFile } from './commands/rulesFile';
import { registerWriteTests } from './commands/writeTests';
import { registerCodeActions } from './codeActions/provider';
import { ProposalPreview } from './codeActions/proposalPreview';
import { DaemonConnection } from './daemon/connection';
import { registerSelectionHint } from './hint/selectionHint';
import { ApiKeyStore } from './keys/apiKeyStore';
import { registerSetApiKey } from './keys/setApiKey';
import { RequestRunner } from './requests/runner';
import type { Services } from './services';
import { StatusBar } from './status/statusBar';
import { registerWorkspaceTrust } from './trust';
import { registerRulesEditor, registerSpendSidebar } from './webviews/index';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Switchyard', { log: true });
  context.subscriptions.push(log);

  const keys = new ApiKeyStore(context.secrets, context.globalState);
  const daemon = new DaemonConnection(context, log, keys);
  const status = new StatusBar(daemon, log);
  const preview = new ProposalPreview();
  const runner = new RequestRunner(daemon, status, log);
  const services: Services = { context, log, daemon, keys, status, runner, preview };

  context.subscriptions.push(
    keys,
    daemon,
    status,
    preview,
    runner,
    registerAsk(services),
    registerExplain(services),
    registerRefactor(services),
    registerWriteTests(services),
    registerFixProblem(services),
    registerEscalation(services),
    registerOpenRulesFile(services),
    registerSetApiKey(services),
    registerDaemonCommands(services),
    registerCodeActions(daemon),
    registerSelectionHint(daemon, log),
    registerWorkspaceTrust(services),
    registerSpendSidebar(context, daemon),
    registerRulesEditor(context, daemon),
  );

  daemon.start();
  const version = String(context.extension.packageJSON.version ?? '?');
  log.info(`activated Switchyard ${version} in ${(performance.now() - started).toFixed(1)} ms (VS Code ${vscode.version}, ${vscode.env.appHost}, trusted workspace: ${vscode.workspace.isTrusted})`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the daemon is shared and keeps running.
}

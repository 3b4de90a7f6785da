/**
 * Code actions: `refactor.rewrite` on any non-empty selection (Refactor, Explain, Write Tests) and `quickfix` on
 * diagnostics (Fix). Titles carry the estimate (`Refactor with Switchyard — gpt-4o-2024-08-06, ≈$0.003`),
 * previewed once per selection text; without a daemon they are plain titles.
 */
import * as vscode from 'vscode';
import type { Decision, RouteRequest } from '../../shared/decision';
import { EXPLAIN_COMMAND } from '../commands/explain';
import { diagnosticContext, FIX_COMMAND } from '../commands/fixProblem';
import { REFACTOR_COMMAND } from '../commands/refactor';
import { codeContext, diagnosticLines, replacementTarget, type SelectionCommandArgs } from '../commands/target';
import { WRITE_TESTS_COMMAND } from '../commands/writeTests';
import type { DaemonApi } from '../daemonApi';
import { codeActionTitle } from '../hint/labels';
import { buildExplainRequest, buildFixRequest, buildRefactorRequest, buildTestsRequest, type Task } from '../requests/prompts';
import { requestContext } from '../services';
import { DecisionCache } from './decisionCache';
import { PROPOSAL_SCHEME } from './proposalPreview';

/** How long the light bulb waits for a preview it has not cached yet. */
const PREVIEW_WAIT_MS = 400;
const MAX_QUICK_FIXES = 3;
const IGNORED_SCHEMES = new Set(['output', 'debug', 'git', PROPOSAL_SCHEME, 'vscode-settings']);

export class SwitchyardCodeActions implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly kinds = [vscode.CodeActionKind.RefactorRewrite, vscode.CodeActionKind.QuickFix];
  private readonly cache = new DecisionCache();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly daemon: DaemonApi) {
    const clear = () => this.cache.clear();
    this.disposables = [
      daemon.on('rules.changed', clear),
      daemon.on('health.changed', clear),
      daemon.on('spend.updated', clear),
      daemon.onDidChangeConnection(clear),
    ];
  }

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    if (IGNORED_SCHEMES.has(document.uri.scheme)) return [];
    const wants = (kind: vscode.CodeActionKind) => !context.only || context.only.contains(kind);
    const actions: vscode.CodeAction[] = [];

    if (wants(vscode.CodeActionKind.RefactorRewrite) && !range.isEmpty && document.getText(range).trim()) {
      const ctx = requestContext('codeAction', document.languageId);
      const target = replacementTarget(document, range);
      const refactorCode = codeContext(document, target.range);
      const code = codeContext(document, range);
      const specs: { task: Task; base: string; command: string; request: () => RouteRequest }[] = [
        { task: 'refactor', base: 'Refactor with Switchyard', command: REFACTOR_COMMAND, request: () => buildRefactorRequest(refactorCode, '', ctx) },
        { task: 'explain', base: 'Explain with Switchyard', command: EXPLAIN_COMMAND, request: () => buildExplainRequest(code, ctx) },
        { task: 'tests', base: 'Write Tests with Switchyard', command: WRITE_TESTS_COMMAND, request: () => buildTestsRequest(code, ctx) },
      ];
      const decisions = await Promise.all(specs.map((s) => this.estimate(s.task, code.code, s.request)));
      if (token.isCancellationRequested) return [];
      specs.forEach((spec, i) => {
        const action = new vscode.CodeAction(codeActionTitle(spec.base, decisions[i]), vscode.CodeActionKind.RefactorRewrite);
        const args: SelectionCommandArgs = { uri: document.uri, range: new vscode.Range(range.start, range.end), source: 'codeAction' };
        action.command = { command: spec.command, title: spec.base, arguments: [args] };
        actions.push(action);
      });
    }

    if (wants(vscode.CodeActionKind.QuickFix) && context.diagnostics.length) {
      const ctx = requestContext('codeAction', document.languageId);
      const diagnostics = context.diagnostics.slice(0, MAX_QUICK_FIXES);
      const decisions = await Promise.all(
        diagnostics.map((d) => {
          const code = codeContext(document, diagnosticLines(document, d));
          return this.estimate('fix', `${d.message}\u0000${code.code}`, () => buildFixRequest(code, diagnosticContext(d), ctx));
        }),
      );
      if (token.isCancellationRequested) return [];
      diagnostics.forEach((diagnostic, i) => {
        const message = diagnostic.message.split('\n')[0];
        const short = message.length > 60 ? `${message.slice(0, 59)}…` : message;
        const action = new vscode.CodeAction(codeActionTitle(`Fix with Switchyard: ${short}`, decisions[i]), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        const args: SelectionCommandArgs = { uri: document.uri, diagnostic, source: 'codeAction' };
        action.command = { command: FIX_COMMAND, title: 'Fix with Switchyard', arguments: [args] };
        actions.push(action);
      });
    }
    return actions;
  }

  /** A cached preview, or a fresh one if it arrives quickly; null without a daemon. */
  private async estimate(task: Task, text: string, request: () => RouteRequest): Promise<Decision | null> {
    const key = DecisionCache.key(task, text);
    const hit = this.cache.peek(key);
    if (hit) return hit;
    if (!this.daemon.connected) return null;
    const pending = this.cache.get(key, () => this.daemon.request('route.preview', { request: request() }));
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), PREVIEW_WAIT_MS));
    return Promise.race([pending, timeout]);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerCodeActions(daemon: DaemonApi): vscode.Disposable {
  const provider = new SwitchyardCodeActions(daemon);
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerCodeActionsProvider('*', provider, { providedCodeActionKinds: SwitchyardCodeActions.kinds }),
  );
}

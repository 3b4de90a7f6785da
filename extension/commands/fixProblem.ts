/** Switchyard: Fix This Problem — for a diagnostic (from a quick fix, or the one at the cursor), diff-previews a fix. */
import * as vscode from 'vscode';
import { CollectSink } from '../requests/answerSink';
import { commonIndent } from '../requests/fences';
import { buildFixRequest, type DiagnosticContext } from '../requests/prompts';
import type { RunOutcome } from '../requests/runner';
import { requestContext, type Services } from '../services';
import { proposeCodeAnswer, stillAsAsked } from './applyAnswer';
import { codeContext, diagnosticLines, locationLabel, type SelectionCommandArgs } from './target';

export const FIX_COMMAND = 'switchyard.fixProblem';

const SEVERITY: Record<vscode.DiagnosticSeverity, DiagnosticContext['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export function diagnosticContext(diagnostic: vscode.Diagnostic): DiagnosticContext {
  const code = typeof diagnostic.code === 'object' && diagnostic.code !== null ? diagnostic.code.value : diagnostic.code;
  return {
    message: diagnostic.message,
    source: diagnostic.source,
    code,
    line: diagnostic.range.start.line + 1,
    severity: SEVERITY[diagnostic.severity],
  };
}

/** The diagnostic under the cursor (or selection) of the active editor; a pick when there are several. */
async function diagnosticAtCursor(): Promise<{ document: vscode.TextDocument; diagnostic: vscode.Diagnostic } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Switchyard: open a file with a problem first.');
    return undefined;
  }
  const all = vscode.languages.getDiagnostics(editor.document.uri);
  const sel = editor.selection;
  let here = all.filter((d) => d.range.intersection(sel) !== undefined || d.range.start.line === sel.active.line);
  if (!here.length) here = all.filter((d) => d.range.start.line <= sel.active.line && d.range.end.line >= sel.active.line);
  if (!here.length) {
    void vscode.window.showInformationMessage('Switchyard: there is no problem at the cursor.');
    return undefined;
  }
  if (here.length === 1) return { document: editor.document, diagnostic: here[0] };
  const pick = await vscode.window.showQuickPick(
    here.map((d) => ({ label: d.message.split('\n')[0], description: `line ${d.range.start.line + 1}${d.source ? ` · ${d.source}` : ''}`, d })),
    { title: 'Switchyard: Fix which problem?' },
  );
  return pick ? { document: editor.document, diagnostic: pick.d } : undefined;
}

export function registerFixProblem(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(FIX_COMMAND, async (args?: SelectionCommandArgs) => {
    let document: vscode.TextDocument;
    let diagnostic: vscode.Diagnostic;
    const source = args?.diagnostic ? args.source ?? 'codeAction' : 'palette';
    if (args?.diagnostic && args.uri) {
      document = await vscode.workspace.openTextDocument(args.uri);
      diagnostic = args.diagnostic;
    } else {
      const found = await diagnosticAtCursor();
      if (!found) return;
      ({ document, diagnostic } = found);
    }
    const range = diagnosticLines(document, diagnostic);
    const code = codeContext(document, range);
    const lines: string[] = [];
    for (let l = range.start.line; l <= diagnostic.range.end.line; l++) lines.push(document.lineAt(l).text);
    const request = buildFixRequest(code, diagnosticContext(diagnostic), requestContext(source, document.languageId));
    const version = document.version;
    const propose = async (outcome: RunOutcome, again = false) => {
      if (!stillAsAsked(document, range, version, code.code, 'code', again)) return;
      await proposeCodeAnswer(services, document, range, {
        baseIndent: commonIndent(lines),
        firstLineInline: false,
        trailingNewline: /\r?\n$/.test(code.code),
        eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
      }, outcome.text, 'Fix', outcome.result.requestId);
    };
    const outcome = await services.runner.run(request, {
      title: 'Fix This Problem',
      sink: new CollectSink(),
      label: `${diagnostic.message.split('\n')[0]} (${locationLabel(document, range)})`,
      again: { sink: () => new CollectSink(), after: (o) => propose(o, true), offerFollowUps: false },
    });
    if (!outcome) return;
    await propose(outcome);
  });
}

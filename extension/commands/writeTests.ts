/** Switchyard: Write Tests for Selection — the test code opens in a new untitled document of the same language. */
import * as vscode from 'vscode';
import { CollectSink } from '../requests/answerSink';
import { extractCode } from '../requests/fences';
import { buildTestsRequest } from '../requests/prompts';
import { requestContext, type Services } from '../services';
import { codeContext, resolveTarget } from './target';

export const WRITE_TESTS_COMMAND = 'switchyard.writeTests';

export function registerWriteTests(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(WRITE_TESTS_COMMAND, async (args?: unknown) => {
    const target = await resolveTarget(args);
    if (!target) return;
    const { document, range, source } = target;
    const request = buildTestsRequest(codeContext(document, range), requestContext(source, document.languageId));
    const outcome = await services.runner.run(request, { title: 'Write Tests for Selection', sink: new CollectSink() });
    if (!outcome) return;
    const extracted = extractCode(outcome.text, document.languageId);
    const doc = await vscode.workspace.openTextDocument(
      extracted?.fenced ? { language: document.languageId, content: extracted.code + '\n' } : { language: 'markdown', content: outcome.text },
    );
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  });
}

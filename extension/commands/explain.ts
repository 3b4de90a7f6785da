/** Switchyard: Explain Selection — the explanation streams into a Markdown document (or the Answers panel). */
import * as vscode from 'vscode';
import { buildExplainRequest } from '../requests/prompts';
import { requestContext, type Services } from '../services';
import { answerSink } from './ask';
import { codeContext, locationLabel, resolveTarget } from './target';

export const EXPLAIN_COMMAND = 'switchyard.explainSelection';

export function registerExplain(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(EXPLAIN_COMMAND, async (args?: unknown) => {
    const target = await resolveTarget(args);
    if (!target) return;
    const { document, range, source } = target;
    const request = buildExplainRequest(codeContext(document, range), requestContext(source, document.languageId));
    const header = `# Explanation of ${locationLabel(document, range)}\n\n`;
    await services.runner.run(request, {
      title: 'Explain Selection',
      sink: answerSink(services),
      header,
      label: locationLabel(document, range),
      again: { sink: () => answerSink(services), header, offerFollowUps: true },
    });
  });
}

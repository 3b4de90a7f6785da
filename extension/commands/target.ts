/** What a selection command works on: the document, the range (from a code action or the editor's selection) and its surroundings. */
import * as vscode from 'vscode';
import { commonIndent, type FitOptions } from '../requests/fences';
import type { CodeContext, Source } from '../requests/prompts';

/** Arguments code actions pass to the selection commands; the palette passes none. */
export interface SelectionCommandArgs {
  uri?: vscode.Uri;
  range?: vscode.Range;
  diagnostic?: vscode.Diagnostic;
  source?: Source;
}

export interface Target {
  document: vscode.TextDocument;
  range: vscode.Range;
  source: Source;
}

const CONTEXT_BEFORE_LINES = 30;
const CONTEXT_AFTER_LINES = 15;
const CONTEXT_MAX_CHARS = 4_000;

function isArgs(value: unknown): value is SelectionCommandArgs {
  return !!value && typeof value === 'object' && ('uri' in value || 'range' in value || 'diagnostic' in value);
}

/** The document and range to act on; tells the user (and returns undefined) when there is none. */
export async function resolveTarget(args: unknown, needsSelection = true): Promise<Target | undefined> {
  if (isArgs(args) && args.uri && args.range) {
    const document = await vscode.workspace.openTextDocument(args.uri);
    return { document, range: document.validateRange(args.range), source: args.source ?? 'codeAction' };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Switchyard: open a file and select some code first.');
    return undefined;
  }
  const range = editor.selection;
  if (needsSelection && (range.isEmpty || !editor.document.getText(range).trim())) {
    void vscode.window.showInformationMessage('Switchyard: select some code first.');
    return undefined;
  }
  return { document: editor.document, range, source: 'palette' };
}

function clip(text: string, fromEnd: boolean): string {
  if (text.length <= CONTEXT_MAX_CHARS) return text;
  return fromEnd ? text.slice(text.length - CONTEXT_MAX_CHARS) : text.slice(0, CONTEXT_MAX_CHARS);
}

/** The code in `range` plus a few read-only lines around it. */
export function codeContext(document: vscode.TextDocument, range: vscode.Range, withSurroundings = true): CodeContext {
  const ctx: CodeContext = {
    code: document.getText(range),
    languageId: document.languageId,
    fileName: document.uri.scheme === 'untitled' ? undefined : vscode.workspace.asRelativePath(document.uri, false),
  };
  if (withSurroundings) {
    const beforeStart = new vscode.Position(Math.max(0, range.start.line - CONTEXT_BEFORE_LINES), 0);
    const afterEndLine = Math.min(document.lineCount - 1, range.end.line + CONTEXT_AFTER_LINES);
    const afterEnd = document.lineAt(afterEndLine).range.end;
    ctx.before = clip(document.getText(new vscode.Range(beforeStart, range.start)), true);
    ctx.after = clip(document.getText(new vscode.Range(range.end, afterEnd)), false);
  }
  return ctx;
}

/**
 * The range a code answer replaces, and how to indent it there. A selection that starts inside a line's
 * indentation is widened to the line start, so the proposal's indentation is used as is.
 */
export function replacementTarget(document: vscode.TextDocument, selection: vscode.Range): { range: vscode.Range; fit: FitOptions } {
  const first = document.lineAt(selection.start.line);
  const inIndent = selection.start.character <= first.firstNonWhitespaceCharacterIndex;
  const start = inIndent ? new vscode.Position(selection.start.line, 0) : selection.start;
  const range = new vscode.Range(start, selection.end);
  const lastLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  const lines: string[] = [];
  for (let l = selection.start.line; l <= lastLine; l++) lines.push(document.lineAt(l).text);
  const text = document.getText(range);
  return {
    range,
    fit: {
      baseIndent: commonIndent(lines),
      firstLineInline: !inIndent,
      trailingNewline: /\r?\n$/.test(text),
      eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
    },
  };
}

/** Whole lines covering a diagnostic, including the final line break (when there is one). */
export function diagnosticLines(document: vscode.TextDocument, diagnostic: vscode.Diagnostic): vscode.Range {
  const startLine = diagnostic.range.start.line;
  const endLine = diagnostic.range.end.line;
  const end = endLine + 1 < document.lineCount ? new vscode.Position(endLine + 1, 0) : document.lineAt(endLine).range.end;
  return new vscode.Range(new vscode.Position(startLine, 0), end);
}

/** `src/a.ts:12-18` for headers. */
export function locationLabel(document: vscode.TextDocument, range: vscode.Range): string {
  const name = document.uri.scheme === 'untitled' ? document.uri.path : vscode.workspace.asRelativePath(document.uri, false);
  const a = range.start.line + 1;
  const b = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
  return a === b ? `${name}:${a}` : `${name}:${a}-${b}`;
}

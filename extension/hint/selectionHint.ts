/**
 * The decision hint for the active selection (debounced): an end-of-line decoration on the selection's last line
 * (`→ gpt-4o-mini-2024-07-18 · ≈$0.0004 · ≈0.7 s · rule "small talk"`), or a CodeLens above it
 * (`switchyard.hint.mode`), and a hover on that line with the full trace. It previews what Explain Selection
 * would send.
 */
import * as vscode from 'vscode';
import type { Decision } from '../../shared/decision';
import { EXPLAIN_COMMAND } from '../commands/explain';
import { codeContext } from '../commands/target';
import { readSettings, type HintMode } from '../config';
import { errorMessage } from '../daemon/client';
import type { DaemonApi } from '../daemonApi';
import { buildExplainRequest } from '../requests/prompts';
import { requestContext } from '../services';
import { debounce } from '../util/debounce';
import { hintLabel } from './labels';
import { traceToMarkdown } from './traceMarkdown';

const DEBOUNCE_MS = 250;
const HOVER_TITLE = 'Switchyard — routing for Explain Selection';

interface Shown {
  uri: string;
  version: number;
  selection: vscode.Selection;
  /** The line carrying the hint. */
  line: number;
  decision: Decision;
}

/** The line that carries the hint: the selection's last line, or the one before when it ends at column 0. */
export function hintLine(selection: vscode.Selection | vscode.Range): number {
  return selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
}

export class SelectionHint implements vscode.HoverProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 2em',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly disposables: vscode.Disposable[] = [];
  private shown: Shown | null = null;
  private decoratedEditor: vscode.TextEditor | null = null;
  private seq = 0;
  private lastError = '';
  private mode: HintMode = readSettings().hintMode;
  private readonly schedule = debounce(() => void this.update(), DEBOUNCE_MS);

  constructor(private readonly daemon: DaemonApi, private readonly log: vscode.LogOutputChannel) {
    const refresh = () => this.schedule();
    this.disposables.push(
      this.decoration,
      this.lensesChanged,
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) refresh();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.clear();
        refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown && e.document.uri.toString() === this.shown.uri && e.contentChanges.length) {
          this.clear();
          refresh();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('switchyard.hint.mode')) return;
        this.mode = readSettings().hintMode;
        this.clear();
        refresh();
      }),
      daemon.onDidChangeConnection(refresh),
      daemon.on('rules.changed', refresh),
      daemon.on('health.changed', refresh),
      daemon.on('spend.updated', refresh),
      vscode.languages.registerHoverProvider('*', this),
      vscode.languages.registerCodeLensProvider('*', this),
    );
  }

  private async update(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const mine = ++this.seq;
    if (this.mode === 'off' || !editor || !this.daemon.connected) return this.clear();
    const selection = editor.selection;
    const document = editor.document;
    if (selection.isEmpty || !document.getText(selection).trim() || document.uri.scheme === 'output') return this.clear();
    const version = document.version;
    const request = buildExplainRequest(codeContext(document, selection), requestContext('codeAction', document.languageId));
    let decision: Decision;
    try {
      decision = await this.daemon.request('route.preview', { request });
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this.lastError) this.log.warn(`hint: preview failed: ${message}`);
      this.lastError = message;
      if (mine === this.seq) this.clear();
      return;
    }
    this.lastError = '';
    // Drop answers for a selection that is gone.
    if (mine !== this.seq || vscode.window.activeTextEditor !== editor || !editor.selection.isEqual(selection) || document.version !== version) return;
    this.show(editor, { uri: document.uri.toString(), version: document.version, selection, line: hintLine(selection), decision });
  }

  private show(editor: vscode.TextEditor, shown: Shown): void {
    this.clearDecoration();
    this.shown = shown;
    if (this.mode === 'inline') {
      const end = editor.document.lineAt(shown.line).range.end;
      editor.setDecorations(this.decoration, [
        { range: new vscode.Range(end, end), renderOptions: { after: { contentText: hintLabel(shown.decision) } } },
      ]);
      this.decoratedEditor = editor;
    }
    this.lensesChanged.fire();
  }

  private clearDecoration(): void {
    if (this.decoratedEditor) this.decoratedEditor.setDecorations(this.decoration, []);
    this.decoratedEditor = null;
  }

  private clear(): void {
    this.clearDecoration();
    if (this.shown) {
      this.shown = null;
      this.lensesChanged.fire();
    }
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const shown = this.shown;
    if (!shown || this.mode === 'off' || document.uri.toString() !== shown.uri || position.line !== shown.line) return undefined;
    const md = new vscode.MarkdownString(traceToMarkdown(shown.decision, { title: HOVER_TITLE, now: Date.now() }));
    md.isTrusted = false;
    return new vscode.Hover(md, document.lineAt(shown.line).range);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const shown = this.shown;
    if (!shown || this.mode !== 'codelens' || document.uri.toString() !== shown.uri) return [];
    const line = shown.selection.start.line;
    return [
      new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: hintLabel(shown.decision),
        tooltip: 'Explain the selection with Switchyard (hover the selection\'s last line for the routing trace)',
        command: EXPLAIN_COMMAND,
      }),
    ];
  }

  dispose(): void {
    this.schedule.cancel();
    this.clear();
    for (const d of this.disposables) d.dispose();
  }
}

export function registerSelectionHint(daemon: DaemonApi, log: vscode.LogOutputChannel): vscode.Disposable {
  return new SelectionHint(daemon, log);
}

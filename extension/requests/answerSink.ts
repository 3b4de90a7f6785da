/** Where a streamed answer goes: an untitled Markdown document (default) or the "Switchyard: Answers" output panel. */
import * as vscode from 'vscode';

export interface AnswerSink {
  /** Opens the target and writes the header. */
  begin(header: string): Promise<void>;
  /** Appends streamed text (batched). */
  append(text: string): void;
  /** Flushes and writes the footer. */
  finish(footer: string): Promise<void>;
  /** The document the answer went to (document sinks, once begun). */
  readonly uri?: vscode.Uri;
}

/** Streams into an untitled Markdown document, one batched edit every ~50 ms. */
export class DocumentSink implements AnswerSink {
  private doc: vscode.TextDocument | null = null;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  get uri(): vscode.Uri | undefined {
    return this.doc?.uri;
  }

  async begin(header: string): Promise<void> {
    this.doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: header });
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    await vscode.window.showTextDocument(this.doc, { viewColumn: column, preview: false, preserveFocus: true });
  }

  append(text: string): void {
    this.pending += text;
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), 50);
  }

  private flush(): Promise<unknown> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.pending;
    this.pending = '';
    if (!text) return this.chain;
    this.chain = this.chain.then(async () => {
      const doc = this.doc;
      if (!doc || doc.isClosed) return;
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, end, text);
      await vscode.workspace.applyEdit(edit);
    });
    return this.chain;
  }

  async finish(footer: string): Promise<void> {
    this.append(footer);
    await this.flush();
  }
}

let answersChannel: vscode.OutputChannel | undefined;

/** The shared "Switchyard: Answers" output channel (disposed with the extension). */
export function answersOutput(context: vscode.ExtensionContext): vscode.OutputChannel {
  if (!answersChannel) {
    answersChannel = vscode.window.createOutputChannel('Switchyard: Answers', 'markdown');
    context.subscriptions.push(answersChannel, { dispose: () => (answersChannel = undefined) });
  }
  return answersChannel;
}

/** Streams into the output panel. */
export class PanelSink implements AnswerSink {
  constructor(private readonly channel: vscode.OutputChannel) {}

  async begin(header: string): Promise<void> {
    this.channel.append(`\n${header}`);
    this.channel.show(true);
  }

  append(text: string): void {
    this.channel.append(text);
  }

  async finish(footer: string): Promise<void> {
    this.channel.append(footer);
  }
}

/** Collects the answer without showing it (code tasks: the result goes to a diff preview). */
export class CollectSink implements AnswerSink {
  text = '';
  async begin(): Promise<void> {}
  append(text: string): void {
    this.text += text;
  }
  async finish(): Promise<void> {}
}

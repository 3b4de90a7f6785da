/** Getting the code out of a model's answer and fitting it where the selection was. Pure: no `vscode`. */

export interface CodeBlock {
  /** The info string after the opening fence (`ts`, `python title="x"`), trimmed. */
  info: string;
  code: string;
  /** False when the answer ended before the closing fence. */
  closed: boolean;
}

const OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Every fenced code block in a Markdown text, in order (CommonMark fences: ``` or ~~~, closed by a longer-or-equal run). */
export function codeBlocks(text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const info = open[2].trim();
    if (fence[0] === '`' && info.includes('`')) continue; // not a fence (CommonMark)
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    let closed = false;
    for (; j < lines.length; j++) {
      if (close.test(lines[j])) {
        closed = true;
        break;
      }
      body.push(lines[j]);
    }
    blocks.push({ info, code: body.join('\n'), closed });
    i = j;
  }
  return blocks;
}

const ALIASES: Record<string, string[]> = {
  typescript: ['ts', 'typescript', 'tsx'],
  typescriptreact: ['tsx', 'typescript', 'ts'],
  javascript: ['js', 'javascript', 'jsx', 'mjs', 'cjs'],
  javascriptreact: ['jsx', 'javascript', 'js'],
  python: ['py', 'python', 'python3'],
  csharp: ['cs', 'csharp', 'c#'],
  cpp: ['cpp', 'c++', 'cc', 'cxx'],
  shellscript: ['sh', 'bash', 'shell', 'zsh'],
  rust: ['rs', 'rust'],
  go: ['go', 'golang'],
  ruby: ['rb', 'ruby'],
  markdown: ['md', 'markdown'],
  yaml: ['yml', 'yaml'],
};

function infoMatches(info: string, languageId: string): boolean {
  const tag = info.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!tag) return false;
  return tag === languageId.toLowerCase() || (ALIASES[languageId] ?? []).includes(tag);
}

export interface ExtractedCode {
  code: string;
  /** False when the answer held no fence and the whole text was taken as code. */
  fenced: boolean;
  /** False when the chosen block was never closed (the answer was cut). */
  complete: boolean;
}

/**
 * The code to apply from an answer: the longest block tagged with the document's language, else the longest
 * block, else (no fence at all) the whole answer trimmed. Null for an empty answer.
 */
export function extractCode(answer: string, languageId?: string): ExtractedCode | null {
  const blocks = codeBlocks(answer).filter((b) => b.code.trim() !== '');
  if (blocks.length === 0) {
    const whole = answer.trim();
    return whole ? { code: whole, fenced: false, complete: true } : null;
  }
  const tagged = languageId ? blocks.filter((b) => infoMatches(b.info, languageId)) : [];
  const pool = tagged.length ? tagged : blocks;
  const best = pool.reduce((a, b) => (b.code.length > a.code.length ? b : a));
  return { code: best.code, fenced: true, complete: best.closed };
}

export interface FitOptions {
  /** Indentation of the replaced lines in the document (their common leading whitespace). */
  baseIndent: string;
  /** True when the replaced range starts after the indentation of its first line (the document keeps that prefix). */
  firstLineInline: boolean;
  /** Whether the replaced text ended with a line break. */
  trailingNewline: boolean;
  eol: '\n' | '\r\n';
}

function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** The common leading whitespace of the non-blank lines. */
export function commonIndent(lines: string[]): string {
  let common: string | null = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    const ws = leadingWhitespace(line);
    if (common === null) common = ws;
    else {
      let k = 0;
      while (k < common.length && k < ws.length && common[k] === ws[k]) k++;
      common = common.slice(0, k);
    }
  }
  return common ?? '';
}

/** Re-indents a proposal to sit where the replaced text was and matches its line endings and final newline. */
export function fitIndentation(proposal: string, options: FitOptions): string {
  const lines = proposal.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const strip = commonIndent(lines);
  const out = lines.map((line, i) => {
    if (!line.trim()) return '';
    const body = line.startsWith(strip) ? line.slice(strip.length) : line.trimStart();
    return i === 0 && options.firstLineInline ? body : options.baseIndent + body;
  });
  // Leading blank lines would break an inline first line.
  while (out.length > 1 && out[0] === '') out.shift();
  let text = out.join(options.eol);
  if (options.trailingNewline) text += options.eol;
  return text;
}

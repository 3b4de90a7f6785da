/**
 * Building the RouteRequest for each task. Pure: no `vscode`. The user's text or code goes in `prompt` (what
 * prompt rules see); the instructions for the model go in `system`.
 */
import type { Urgency } from '../../shared/config';
import type { RouteRequest } from '../../shared/decision';

export type Task = 'chat' | 'explain' | 'refactor' | 'tests' | 'fix';
export type Source = 'palette' | 'codeAction';

/** Routing fields every request carries. */
export interface RequestContext {
  source: Source;
  urgency: Urgency;
  /** VS Code language id of the active document, if any. */
  language?: string;
}

/** A piece of a document the request is about. */
export interface CodeContext {
  code: string;
  languageId: string;
  /** Workspace-relative path, for the model's orientation. */
  fileName?: string;
  /** Read-only lines before and after, for context. */
  before?: string;
  after?: string;
}

export interface DiagnosticContext {
  message: string;
  /** e.g. `ts`, `eslint`. */
  source?: string;
  code?: string | number;
  /** 1-based line of the problem. */
  line: number;
  severity?: 'error' | 'warning' | 'information' | 'hint';
}

/** A fence that no backtick run inside `code` can close. */
export function fenceFor(code: string): string {
  const longest = Math.max(0, ...(code.match(/`{3,}/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function fenced(code: string, languageId: string): string {
  const fence = fenceFor(code);
  return `${fence}${languageId}\n${code.replace(/\n$/, '')}\n${fence}`;
}

const CODE_ONLY =
  'Reply with exactly one fenced code block containing the complete replacement code, and nothing else: no explanation, ' +
  'no placeholders, no elided parts. Keep the surrounding style (indentation, quotes, naming) unless asked otherwise.';

function base(task: Task, ctx: RequestContext, prompt: string, system: string | undefined): RouteRequest {
  const request: RouteRequest = { prompt, task, source: ctx.source, urgency: ctx.urgency };
  if (system) request.system = system;
  if (ctx.language) request.language = ctx.language;
  return request;
}

function where(code: CodeContext): string {
  return code.fileName ? ` from ${code.fileName}` : '';
}

function surroundings(code: CodeContext): string {
  const parts: string[] = [];
  if (code.before && code.before.trim()) parts.push(`Context before (read-only):\n${fenced(code.before, code.languageId)}`);
  if (code.after && code.after.trim()) parts.push(`Context after (read-only):\n${fenced(code.after, code.languageId)}`);
  return parts.length ? `\n\n${parts.join('\n\n')}` : '';
}

/** Ask…: the user's prompt as is. */
export function buildAskRequest(prompt: string, ctx: RequestContext): RouteRequest {
  return base('chat', ctx, prompt, undefined);
}

export function buildExplainRequest(code: CodeContext, ctx: RequestContext): RouteRequest {
  const system = 'You are a senior software engineer. Explain what the given code does, how, and anything surprising or risky in it. Answer in Markdown; be concise.';
  const prompt = `Explain this ${code.languageId} code${where(code)}:\n\n${fenced(code.code, code.languageId)}${surroundings(code)}`;
  return base('explain', ctx, prompt, system);
}

export function buildRefactorRequest(code: CodeContext, instruction: string, ctx: RequestContext): RouteRequest {
  const system = `You are a senior software engineer refactoring code. ${CODE_ONLY} The code block replaces the selection exactly.`;
  const prompt = `${instruction.trim()}\n\nRefactor this ${code.languageId} selection${where(code)}:\n\n${fenced(code.code, code.languageId)}${surroundings(code)}`;
  return base('refactor', ctx, prompt, system);
}

export function buildTestsRequest(code: CodeContext, ctx: RequestContext): RouteRequest {
  const system =
    'You are a senior software engineer writing unit tests. Use the test framework the code base most likely uses. ' +
    'Reply with exactly one fenced code block holding a complete, runnable test file, and nothing else.';
  const prompt = `Write unit tests for this ${code.languageId} code${where(code)}:\n\n${fenced(code.code, code.languageId)}${surroundings(code)}`;
  return base('tests', ctx, prompt, system);
}

export function buildFixRequest(code: CodeContext, problem: DiagnosticContext, ctx: RequestContext): RouteRequest {
  const system = `You are a senior software engineer fixing a reported problem. ${CODE_ONLY} The code block replaces the given lines exactly; change as little as needed.`;
  const origin = [problem.source, problem.code !== undefined ? String(problem.code) : ''].filter(Boolean).join(' ');
  const label = `${problem.severity ?? 'problem'}${origin ? ` (${origin})` : ''} on line ${problem.line}`;
  const prompt = `Fix this ${label}: ${problem.message}\n\nLines to fix${where(code)}:\n\n${fenced(code.code, code.languageId)}${surroundings(code)}`;
  return base('fix', ctx, prompt, system);
}

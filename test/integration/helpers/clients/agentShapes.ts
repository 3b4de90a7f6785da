/**
 * Requests shaped like the coding agents' own (Claude Code 2.0 via ANTHROPIC_BASE_URL, Codex CLI via its OpenAI
 * provider's base_url): their headers, query string, system prompt blocks, tool definitions and session ids, so a
 * test sends what those agents send without running them.
 */
import { randomUUID } from 'node:crypto';

const draft7 = 'http://json-schema.org/draft-07/schema#';
const object = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false, $schema: draft7 });
const str = (description: string) => ({ type: 'string', description });

/** Claude Code's built-in tools (names and schemas as it sends them, descriptions shortened). */
export const CLAUDE_CODE_TOOLS = [
  { name: 'Task', description: 'Launch a new agent to handle complex, multi-step tasks autonomously.', input_schema: object({ description: str('A short (3-5 word) description of the task'), prompt: str('The task for the agent to perform'), subagent_type: str('The type of specialized agent to use') }, ['description', 'prompt', 'subagent_type']) },
  { name: 'Bash', description: 'Executes a given bash command in a persistent shell session.', input_schema: object({ command: str('The command to execute'), timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' }, description: str('Clear, concise description of what this command does') }, ['command']) },
  { name: 'Glob', description: 'Fast file pattern matching tool that works with any codebase size.', input_schema: object({ pattern: str('The glob pattern to match files against'), path: str('The directory to search in') }, ['pattern']) },
  { name: 'Grep', description: 'A powerful search tool built on ripgrep.', input_schema: object({ pattern: str('The regular expression pattern to search for'), path: str('File or directory to search in'), output_mode: { type: 'string', enum: ['content', 'files_with_matches', 'count'] } }, ['pattern']) },
  { name: 'Read', description: 'Reads a file from the local filesystem.', input_schema: object({ file_path: str('The absolute path to the file to read'), offset: { type: 'number' }, limit: { type: 'number' } }, ['file_path']) },
  { name: 'Edit', description: 'Performs exact string replacements in files.', input_schema: object({ file_path: str('The absolute path to the file to modify'), old_string: str('The text to replace'), new_string: str('The text to replace it with'), replace_all: { type: 'boolean', default: false } }, ['file_path', 'old_string', 'new_string']) },
  { name: 'Write', description: 'Writes a file to the local filesystem.', input_schema: object({ file_path: str('The absolute path to the file to write'), content: str('The content to write to the file') }, ['file_path', 'content']) },
  { name: 'WebFetch', description: 'Fetches content from a specified URL and processes it using an AI model.', input_schema: object({ url: { type: 'string', format: 'uri' }, prompt: str('The prompt to run on the fetched content') }, ['url', 'prompt']) },
  { name: 'TodoWrite', description: 'Create and manage a structured task list for your current coding session.', input_schema: object({ todos: { type: 'array', items: object({ content: { type: 'string', minLength: 1 }, status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] }, activeForm: { type: 'string', minLength: 1 } }, ['content', 'status', 'activeForm']) } }, ['todos']) },
  { name: 'NotebookEdit', description: 'Completely replaces the contents of a specific cell in a Jupyter notebook.', input_schema: object({ notebook_path: str('The absolute path to the notebook'), new_source: str('The new source for the cell'), cell_id: str('The ID of the cell to edit') }, ['notebook_path', 'new_source']) },
];

export interface ClaudeCodeSession {
  /** Its `metadata.user_id`: `user_<hash>_account_<uuid>_session_<uuid>`. */
  userId: string;
  headers: Record<string, string>;
}

/** A Claude Code session: the headers every request of it carries (the daemon token as its API key). */
export function claudeCodeSession(token: string): ClaudeCodeSession {
  return {
    userId: `user_${'5c'.repeat(32)}_account_${randomUUID()}_session_${randomUUID()}`,
    headers: {
      'user-agent': 'claude-cli/2.0.14 (external, cli)',
      'x-app': 'cli',
      'x-api-key': token,
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
      'anthropic-dangerous-direct-browser-access': 'true',
      'x-stainless-lang': 'js',
      'x-stainless-retry-count': '0',
      accept: 'application/json',
    },
  };
}

/** Claude Code's system prompt: text blocks, the prompt cache marked on them. */
export const CLAUDE_CODE_SYSTEM = [
  { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
  { type: 'text', text: 'You are an interactive CLI tool that helps users with software engineering tasks. Use the instructions below and the tools available to you to assist the user.\n\nWorking directory: /repo\nIs directory a git repo: Yes\nPlatform: linux', cache_control: { type: 'ephemeral' } },
];

/** The first user turn as Claude Code sends it: a system reminder, then the ask (the cache marker on the last block). */
export function claudeCodeFirstTurn(ask: string): { role: 'user'; content: unknown[] } {
  return {
    role: 'user',
    content: [
      { type: 'text', text: '<system-reminder>\nAs you answer the user\'s questions, you can use the following context: the project uses TypeScript and node:test.\n</system-reminder>' },
      { type: 'text', text: ask, cache_control: { type: 'ephemeral' } },
    ],
  };
}

/** A streaming /v1/messages body as Claude Code sends it. */
export function claudeCodeBody(session: ClaudeCodeSession, messages: unknown[], model = 'switchyard/auto'): Record<string, unknown> {
  return {
    model,
    messages,
    temperature: 1,
    system: CLAUDE_CODE_SYSTEM,
    tools: CLAUDE_CODE_TOOLS,
    metadata: { user_id: session.userId },
    max_tokens: 8192,
    stream: true,
  };
}

/** Codex CLI's function tools (the `shell` and `update_plan` it registers for OpenAI models). */
export const CODEX_TOOLS = [
  {
    type: 'function', name: 'shell', description: 'Runs a shell command and returns its output.', strict: false,
    parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' }, description: 'The command to execute' }, workdir: { type: 'string', description: 'The working directory to execute the command in' }, timeout_ms: { type: 'number', description: 'The timeout for the command in milliseconds' } }, required: ['command'], additionalProperties: false },
  },
  {
    type: 'function', name: 'update_plan', description: 'Updates the task plan.', strict: false,
    parameters: { type: 'object', properties: { explanation: { type: 'string' }, plan: { type: 'array', items: { type: 'object', properties: { step: { type: 'string' }, status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] } }, required: ['step', 'status'], additionalProperties: false } } }, required: ['plan'], additionalProperties: false },
  },
];

export interface CodexSession {
  /** Codex's conversation id: its `prompt_cache_key` and `session_id` header. */
  id: string;
  headers: Record<string, string>;
}

export function codexSession(token: string): CodexSession {
  const id = randomUUID();
  return {
    id,
    headers: {
      'user-agent': 'codex_cli_rs/0.46.0 (Ubuntu 24.4.0; x86_64) xterm-256color',
      originator: 'codex_cli_rs',
      authorization: `Bearer ${token}`,
      'openai-beta': 'responses=experimental',
      conversation_id: id,
      session_id: id,
      accept: 'text/event-stream',
    },
  };
}

/** Codex's instructions (shortened) and its first input: the environment context, then the ask. */
export const CODEX_INSTRUCTIONS = 'You are Codex, based on GPT-5. You are running as a coding agent in the Codex CLI on a user\'s computer.';

export function codexFirstInput(ask: string): unknown[] {
  return [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>\n  <cwd>/repo</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n</environment_context>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: ask }] },
  ];
}

/** A streaming /v1/responses body as Codex sends it: nothing stored, reasoning kept encrypted in the conversation. */
export function codexBody(session: CodexSession, input: unknown[], model = 'switchyard/auto'): Record<string, unknown> {
  return {
    model,
    instructions: CODEX_INSTRUCTIONS,
    input,
    tools: CODEX_TOOLS,
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: session.id,
  };
}

/**
 * A body a client POSTed to the daemon's `/v1/responses` → canonical. Everything canonical can hold is read into it
 * (validated, with a 400 naming the field when it is not valid Responses); what it cannot — conversation state kept
 * by OpenAI (`previous_response_id`, `conversation`), built-in tools, logprobs, fields added to the API later — is
 * listed in `untranslatable`: a Responses upstream gets the caller's body as it came, any other target refuses the
 * first of them by name. Fields with nothing to carry across (`store`, `metadata`, cache hints) are left out of
 * canonical on purpose; fields.ts says why for each.
 */
import type { CanonicalRequest, Reasoning, ResponseFormat, ToolChoice, ToolDefinition } from '../../../shared/canonical';
import { invalid, isRecord, readMaxTokens, readStream, readTemperature } from '../common';
import type { ParsedRequest } from '../types';
import { REQUEST_FIELDS } from './fields';
import { parseInput } from './parseInput';

/** Top-level fields of the request reference (the field table's roots); any other is untranslatable. */
const KNOWN = new Set(REQUEST_FIELDS.map((r) => r.field.split(/[.[ ]/)[0]));

const present = (v: unknown) => v !== undefined && v !== null;

function readTopP(v: unknown): number | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) invalid('top_p', `top_p must be a number from 0 to 1, got ${JSON.stringify(v)}`);
  return v;
}

function readString(v: unknown, param: string): string | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'string') invalid(param, `${param} must be a string`);
  return v;
}

function readBoolean(v: unknown, param: string): boolean | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'boolean') invalid(param, `${param} must be a boolean`);
  return v;
}

/** Keys of a function tool that canonical carries; any other set on one is untranslatable. */
const FUNCTION_TOOL_KEYS = new Set(['type', 'name', 'description', 'parameters', 'strict']);

function readTools(v: unknown, untranslatable: string[], root = 'tools'): ToolDefinition[] {
  if (!present(v)) return [];
  if (!Array.isArray(v)) invalid(root, `${root} must be an array`);
  return v.flatMap((t, i): ToolDefinition[] => {
    const p = `${root}[${i}]`;
    if (!isRecord(t)) invalid(p, `${p} must be an object`);
    // A namespace groups function tools under a name (Codex's multi_agent_v1): the other formats get its tools.
    if (t.type === 'namespace' && Array.isArray(t.tools)) return readTools(t.tools, untranslatable, `${p}.tools`);
    // Web search limited to OpenAI's cached index (Codex's default) offers nothing another provider could run.
    if (t.type === 'web_search' && t.external_web_access === false) return [];
    if (t.type !== 'function') {
      if (typeof t.type !== 'string') invalid(`${p}.type`, `${p}.type must be a string`);
      // web_search, file_search, computer_use, code_interpreter, mcp, custom, shell…: OpenAI runs them.
      untranslatable.push(`${p} (${t.type})`);
      return [];
    }
    return [readFunctionTool(t, p, untranslatable)];
  });
}

function readFunctionTool(t: Record<string, unknown>, p: string, untranslatable: string[]): ToolDefinition {
  if (typeof t.name !== 'string' || !t.name) invalid(`${p}.name`, `${p}.name must be a non-empty string`);
  if (present(t.parameters) && !isRecord(t.parameters)) invalid(`${p}.parameters`, `${p}.parameters must be a JSON Schema object`);
  const tool: ToolDefinition = { name: t.name, parameters: isRecord(t.parameters) ? t.parameters : { type: 'object', properties: {} } };
  const description = readString(t.description, `${p}.description`);
  if (description !== undefined) tool.description = description;
  const strict = readBoolean(t.strict, `${p}.strict`);
  if (strict !== undefined) tool.strict = strict;
  for (const key of Object.keys(t)) if (!FUNCTION_TOOL_KEYS.has(key) && present(t[key])) untranslatable.push(`${p}.${key}`);
  return tool;
}

/**
 * `tool_choice` → canonical. `allowed_tools` (a subset the model may call, the full list kept for the prompt
 * cache) becomes the same choice over only those tools: what the model can do is the same.
 */
function readToolChoice(v: unknown, tools: ToolDefinition[], untranslatable: string[]): { choice?: ToolChoice; tools: ToolDefinition[] } {
  if (!present(v)) return { tools };
  if (v === 'auto' || v === 'required' || v === 'none') return { choice: { type: v }, tools };
  if (!isRecord(v)) invalid('tool_choice', 'tool_choice must be "auto", "required", "none" or an object');
  if (v.type === 'function') {
    if (typeof v.name !== 'string' || !v.name) invalid('tool_choice.name', 'tool_choice.name must be a non-empty string');
    return { choice: { type: 'tool', name: v.name }, tools };
  }
  if (v.type === 'allowed_tools') {
    if (v.mode !== 'auto' && v.mode !== 'required') invalid('tool_choice.mode', 'tool_choice.mode must be "auto" or "required"');
    if (!Array.isArray(v.tools)) invalid('tool_choice.tools', 'tool_choice.tools must be an array');
    const names = v.tools.map((t) => (isRecord(t) && t.type === 'function' && typeof t.name === 'string' ? t.name : undefined));
    if (names.some((n) => n === undefined)) {
      untranslatable.push('tool_choice (allowed_tools with built-in tools)');
      return { tools };
    }
    return { choice: { type: v.mode }, tools: tools.filter((t) => names.includes(t.name)) };
  }
  if (typeof v.type !== 'string') invalid('tool_choice.type', 'tool_choice.type must be a string');
  untranslatable.push(`tool_choice (${v.type})`);
  return { tools };
}

/** `text.format` → canonical; plain text is the default and needs nothing. */
function readText(v: unknown, untranslatable: string[]): ResponseFormat | undefined {
  if (!present(v)) return undefined;
  if (!isRecord(v)) invalid('text', 'text must be an object');
  // `medium` is the default verbosity: asking for it asks for nothing.
  for (const key of Object.keys(v)) if (key !== 'format' && present(v[key]) && !(key === 'verbosity' && v[key] === 'medium')) untranslatable.push(`text.${key}`);
  const f = v.format;
  if (!present(f)) return undefined;
  if (!isRecord(f)) invalid('text.format', 'text.format must be an object');
  switch (f.type) {
    case 'text': return undefined;
    case 'json_object': return { type: 'json_object' };
    case 'json_schema': {
      if (typeof f.name !== 'string' || !f.name) invalid('text.format.name', 'text.format.name must be a non-empty string');
      if (!isRecord(f.schema)) invalid('text.format.schema', 'text.format.schema must be a JSON Schema object');
      const out: ResponseFormat = { type: 'json_schema', name: f.name, schema: f.schema };
      const strict = readBoolean(f.strict, 'text.format.strict');
      if (strict !== undefined) out.strict = strict;
      const description = readString(f.description, 'text.format.description');
      if (description !== undefined) out.description = description;
      return out;
    }
    default: invalid('text.format.type', 'text.format.type must be text, json_object or json_schema');
  }
}

const EFFORTS = new Set(['minimal', 'low', 'medium', 'high']);
const SUMMARIES = new Set(['auto', 'concise', 'detailed']);

/** `reasoning` → canonical. `effort: "none"` asks for no reasoning; efforts above `high` have no equal elsewhere. */
function readReasoning(v: unknown, untranslatable: string[]): Reasoning | undefined {
  if (!present(v)) return undefined;
  if (!isRecord(v)) invalid('reasoning', 'reasoning must be an object');
  for (const key of ['context', 'mode']) if (present(v[key])) untranslatable.push(`reasoning.${key}`);
  const summary = v.summary ?? v.generate_summary;
  if (present(summary) && (typeof summary !== 'string' || !SUMMARIES.has(summary))) invalid('reasoning.summary', 'reasoning.summary must be auto, concise or detailed');
  const effort = v.effort;
  if (effort === 'none') return { enabled: false };
  const out: Reasoning = { enabled: true };
  if (typeof effort === 'string' && EFFORTS.has(effort)) out.effort = effort as Reasoning['effort'];
  else if (effort === 'xhigh' || effort === 'max') {
    untranslatable.push('reasoning.effort');
    out.effort = 'high';
  } else if (present(effort)) invalid('reasoning.effort', 'reasoning.effort must be none, minimal, low, medium, high, xhigh or max');
  if (typeof summary === 'string') out.summary = summary;
  return out.effort === undefined && out.summary === undefined ? undefined : out;
}

/** Fields that exist only on OpenAI's side of a Responses call (its stored state, its tiers, its tools). */
function readOpenAIOnly(body: Record<string, unknown>, untranslatable: string[]): void {
  // Conversation state lives on OpenAI's side: said so in the path, since other formats' refusals name only the field.
  for (const key of ['previous_response_id', 'conversation']) if (present(body[key])) untranslatable.push(`${key} (state only OpenAI's Responses API keeps: send the whole conversation in input)`);
  for (const key of ['prompt', 'moderation']) if (present(body[key])) untranslatable.push(key);
  if (body.background === true) untranslatable.push('background');
  if (present(body.truncation) && body.truncation !== 'disabled') {
    if (body.truncation !== 'auto') invalid('truncation', 'truncation must be "auto" or "disabled"');
    untranslatable.push('truncation');
  }
  if (present(body.service_tier) && body.service_tier !== 'auto' && body.service_tier !== 'default') untranslatable.push('service_tier');
  if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0) untranslatable.push('top_logprobs');
  if (Array.isArray(body.context_management) ? body.context_management.length > 0 : present(body.context_management)) untranslatable.push('context_management');
  if (present(body.include)) {
    if (!Array.isArray(body.include) || !body.include.every((x) => typeof x === 'string')) invalid('include', 'include must be an array of strings');
    // Logprobs have no canonical home; the other values ask for outputs of built-in tools or encrypted reasoning,
    // which a translated answer carries whenever there is any (reasoning.ts).
    body.include.forEach((x, i) => { if (x === 'message.output_text.logprobs') untranslatable.push(`include[${i}] (${x})`); });
  }
  for (const key of Object.keys(body)) if (!KNOWN.has(key)) untranslatable.push(key);
}

export function parseRequest(body: unknown): ParsedRequest {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  const untranslatable: string[] = [];
  const stateful = present(body.previous_response_id) || present(body.conversation) || present(body.prompt);
  if (!present(body.input) && !stateful) invalid('input', 'input is required (a string or an array of input items)');
  const { system, messages } = present(body.input) ? parseInput(body.input, untranslatable) : { system: [], messages: [] };
  if (Array.isArray(body.input) && body.input.length === 0 && !stateful) invalid('input', 'input must not be empty');

  const request: CanonicalRequest = { messages, stream: readStream(body.stream) };
  const instructions = readString(body.instructions, 'instructions');
  const systemParts = instructions ? [{ type: 'text' as const, text: instructions }, ...system] : system;
  if (systemParts.length) request.system = systemParts;

  const { choice, tools } = readToolChoice(body.tool_choice, readTools(body.tools, untranslatable), untranslatable);
  if (tools.length) request.tools = tools;
  if (choice) request.toolChoice = choice;
  const parallel = readBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  const responseFormat = readText(body.text, untranslatable);
  if (responseFormat) request.responseFormat = responseFormat;
  const reasoning = readReasoning(body.reasoning, untranslatable);
  if (reasoning) request.reasoning = reasoning;
  const temperature = readTemperature(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = readTopP(body.top_p);
  if (topP !== undefined) request.topP = topP;
  const maxTokens = readMaxTokens(body.max_output_tokens, 'max_output_tokens');
  if (maxTokens !== undefined) request.maxTokens = maxTokens;

  const user = readString(body.user, 'user');
  const safety = readString(body.safety_identifier, 'safety_identifier');
  if (user !== undefined || safety !== undefined) request.user = user ?? safety;
  // Other formats have one end-user id: a second, different one cannot go with it.
  if (user !== undefined && safety !== undefined && user !== safety) untranslatable.push('safety_identifier');

  readBoolean(body.store, 'store');
  if (present(body.stream_options) && !isRecord(body.stream_options)) invalid('stream_options', 'stream_options must be an object');
  if (present(body.metadata) && !isRecord(body.metadata)) invalid('metadata', 'metadata must be an object');
  readOpenAIOnly(body, untranslatable);
  if (untranslatable.length) request.untranslatable = untranslatable;
  request.raw = { format: 'openai-responses', body };
  return { model: body.model, request };
}

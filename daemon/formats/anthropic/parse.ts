/**
 * A body a client POSTed to the daemon's `/v1/messages` → canonical. Malformed bodies are refused with a
 * RequestFormatError naming the field. Every field is read: what canonical holds is translated, what it cannot
 * hold (server tools, `service_tier`, `container`, `mcp_servers`, a field added to the API after this was
 * written…) is listed in `untranslatable` by its path — it reaches an Anthropic upstream unchanged (the body
 * passes through) and any other format's builder refuses it by name.
 */
import type { CanonicalRequest, Reasoning, ReasoningEffort, ToolChoice, ToolDefinition } from '../../../shared/canonical';
import { budgetToEffort, invalid, isNonNegInt, isRecord, readMaxTokens, readStream, readTemperature } from '../common';
import type { ParsedRequest } from '../types';
import { readCacheControl, readMessages, readSystem, type Untranslatable } from './parseContent';

/** The top-level fields read below; any other one is untranslatable. */
const READ_FIELDS = new Set([
  'model', 'max_tokens', 'messages', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
  'thinking', 'tool_choice', 'tools', 'output_config', 'output_format', 'cache_control', 'context_management',
]);

const set = (v: unknown): boolean => v !== undefined && v !== null;

function readTool(tool: unknown, i: number, out: Untranslatable): ToolDefinition | undefined {
  const p = `tools[${i}]`;
  if (!isRecord(tool)) invalid(p, `${p} must be an object`);
  if (set(tool.type) && tool.type !== 'custom') {
    // Server tools (web_search_…, bash_…, text_editor_…, computer_…, code_execution_…, mcp_toolset…) run at
    // Anthropic: no other provider has them.
    if (typeof tool.type !== 'string') invalid(`${p}.type`, `${p}.type must be a string`);
    out.push(`${p} (${tool.type})`);
    return undefined;
  }
  if (typeof tool.name !== 'string' || !tool.name) invalid(`${p}.name`, `${p}.name must be a non-empty string`);
  if (!isRecord(tool.input_schema)) invalid(`${p}.input_schema`, `${p}.input_schema must be a JSON Schema object`);
  // A deferred tool is not shown to the model until a tool search loads it (Claude Code sends a placeholder so):
  // on a format without deferred loading the model sees what it would see here at first — the tools not deferred.
  if (tool.defer_loading === true) return undefined;
  const def: ToolDefinition = { name: tool.name, parameters: tool.input_schema };
  if (set(tool.description)) {
    if (typeof tool.description !== 'string') invalid(`${p}.description`, `${p}.description must be a string`);
    def.description = tool.description;
  }
  if (set(tool.strict)) {
    if (typeof tool.strict !== 'boolean') invalid(`${p}.strict`, `${p}.strict must be a boolean`);
    def.strict = tool.strict;
  }
  const cacheControl = readCacheControl(tool.cache_control, `${p}.cache_control`);
  if (cacheControl) def.cacheControl = cacheControl;
  for (const [key, value] of Object.entries(tool)) {
    // eager_input_streaming only says how Anthropic streams a tool's input; other formats stream arguments as deltas anyway.
    if (['type', 'name', 'input_schema', 'description', 'strict', 'cache_control', 'eager_input_streaming', 'defer_loading'].includes(key)) continue;
    // Off switches at their defaults change nothing; anything else (input_examples, allowed_callers…) is Anthropic's alone.
    if (value !== undefined && value !== null && value !== false) out.push(`${p}.${key}`);
  }
  return def;
}

function readToolChoice(v: unknown, request: CanonicalRequest): void {
  if (!isRecord(v)) invalid('tool_choice', 'tool_choice must be an object');
  let choice: ToolChoice;
  switch (v.type) {
    case 'auto': choice = { type: 'auto' }; break;
    case 'any': choice = { type: 'required' }; break;
    case 'none': choice = { type: 'none' }; break;
    case 'tool':
      if (typeof v.name !== 'string' || !v.name) invalid('tool_choice.name', 'tool_choice.name must name a tool');
      choice = { type: 'tool', name: v.name };
      break;
    default: invalid('tool_choice.type', 'tool_choice.type must be auto, any, tool or none');
  }
  request.toolChoice = choice;
  if (set(v.disable_parallel_tool_use)) {
    if (typeof v.disable_parallel_tool_use !== 'boolean') invalid('tool_choice.disable_parallel_tool_use', 'tool_choice.disable_parallel_tool_use must be a boolean');
    request.parallelToolCalls = !v.disable_parallel_tool_use;
  }
}

function readThinking(v: unknown, out: Untranslatable): Reasoning | undefined {
  if (!isRecord(v) || typeof v.type !== 'string') invalid('thinking', 'thinking must be an object with a type');
  // `display` only says whether the thinking text is returned; other formats return none of Anthropic's anyway.
  switch (v.type) {
    case 'enabled': {
      if (!isNonNegInt(v.budget_tokens) || v.budget_tokens < 1) invalid('thinking.budget_tokens', 'thinking.budget_tokens must be a positive whole number');
      return { enabled: true, budgetTokens: v.budget_tokens, effort: budgetToEffort(v.budget_tokens) };
    }
    case 'disabled': return { enabled: false };
    // The model decides how much to think: reasoning on, no budget.
    case 'adaptive': return { enabled: true };
    default:
      out.push('thinking.type');
      return undefined;
  }
}

/**
 * `context_management`: edits Anthropic applies to the context server-side. Clearing old thinking blocks changes
 * nothing on another format (Anthropic's thinking is never sent there); clearing tool results or anything else would
 * leave the other model a context the caller did not mean, so it is untranslatable.
 */
function readContextManagement(v: unknown, out: Untranslatable): void {
  if (!isRecord(v)) invalid('context_management', 'context_management must be an object');
  const edits = v.edits;
  const onlyThinking = Array.isArray(edits) && edits.every((e) => isRecord(e) && typeof e.type === 'string' && e.type.startsWith('clear_thinking_'));
  if (!onlyThinking || Object.keys(v).some((k) => k !== 'edits')) out.push('context_management');
}

const EFFORTS: readonly string[] = ['low', 'medium', 'high'];

/** `output_config`: `format` (structured output) and `effort` (low…high match OpenAI's efforts; xhigh and max do not). */
function readOutputConfig(v: unknown, request: CanonicalRequest, out: Untranslatable): void {
  if (!isRecord(v)) invalid('output_config', 'output_config must be an object');
  for (const [key, value] of Object.entries(v)) {
    if (!set(value)) continue;
    if (key === 'format') readOutputFormat(value, 'output_config.format', request);
    else if (key === 'effort') {
      if (typeof value !== 'string') invalid('output_config.effort', 'output_config.effort must be a string');
      if (!EFFORTS.includes(value)) out.push('output_config.effort');
      else request.reasoning = { ...(request.reasoning ?? { enabled: true }), effort: value as ReasoningEffort };
    } else out.push(`output_config.${key}`);
  }
}

function readOutputFormat(v: unknown, path: string, request: CanonicalRequest): void {
  if (!isRecord(v) || v.type !== 'json_schema') invalid(`${path}.type`, `${path} must be {"type":"json_schema","schema":{…}}`);
  if (!isRecord(v.schema)) invalid(`${path}.schema`, `${path}.schema must be a JSON Schema object`);
  request.responseFormat = { type: 'json_schema', name: 'json_output', schema: v.schema };
}

function readMetadata(v: unknown, request: CanonicalRequest, out: Untranslatable): void {
  if (!isRecord(v)) invalid('metadata', 'metadata must be an object');
  for (const [key, value] of Object.entries(v)) {
    if (!set(value)) continue;
    if (key !== 'user_id') out.push(`metadata.${key}`);
    else if (typeof value !== 'string') invalid('metadata.user_id', 'metadata.user_id must be a string');
    else request.user = value;
  }
}

function readNumber(v: unknown, param: string, min: number, max: number, whole = false): number | undefined {
  if (!set(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (whole && !Number.isInteger(v))) {
    invalid(param, `${param} must be a ${whole ? 'whole number' : 'number'} from ${min}${max === Infinity ? ' up' : ` to ${max}`}`);
  }
  return v;
}

export function parseRequest(body: unknown): ParsedRequest {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  const out: Untranslatable = [];
  const { messages, system } = readMessages(body.messages, out);
  const request: CanonicalRequest = { messages, stream: readStream(body.stream) };

  if (!set(body.max_tokens)) invalid('max_tokens', 'max_tokens is required');
  // 0 only warms the prompt cache (no answer): an Anthropic feature.
  if (body.max_tokens === 0) out.push('max_tokens');
  else request.maxTokens = readMaxTokens(body.max_tokens, 'max_tokens');

  if (set(body.system)) system.unshift(...readSystem(body.system, 'system', out));
  if (system.length) request.system = system;
  if (set(body.metadata)) readMetadata(body.metadata, request, out);
  if (set(body.stop_sequences)) {
    const stop = body.stop_sequences;
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) invalid('stop_sequences', 'stop_sequences must be an array of strings');
    if (stop.length) request.stop = [...stop];
  }
  const temperature = readTemperature(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = readNumber(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const topK = readNumber(body.top_k, 'top_k', 0, Infinity, true);
  if (topK !== undefined) request.topK = topK;

  if (set(body.tools)) {
    if (!Array.isArray(body.tools)) invalid('tools', 'tools must be an array');
    const tools = body.tools.map((t, i) => readTool(t, i, out)).filter((t): t is ToolDefinition => t !== undefined);
    if (tools.length) request.tools = tools;
  }
  if (set(body.tool_choice)) readToolChoice(body.tool_choice, request);
  if (set(body.thinking)) {
    const reasoning = readThinking(body.thinking, out);
    if (reasoning) request.reasoning = reasoning;
  }
  // The beta `output_format` is today's `output_config.format`; read it first so output_config wins.
  if (set(body.output_format)) readOutputFormat(body.output_format, 'output_format', request);
  if (set(body.output_config)) readOutputConfig(body.output_config, request, out);
  // Top-level `cache_control` (cache the longest prefix) is checked but not carried: it means nothing elsewhere.
  readCacheControl(body.cache_control, 'cache_control');
  if (set(body.context_management)) readContextManagement(body.context_management, out);

  for (const [key, value] of Object.entries(body)) if (set(value) && !READ_FIELDS.has(key)) out.push(key);
  if (out.length) request.untranslatable = out;
  request.raw = { format: 'anthropic', body };
  return { model: body.model, request };
}

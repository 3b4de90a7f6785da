/**
 * Every field of the OpenAI Responses request (POST /v1/responses, as the API reference and the official SDK's
 * ResponseCreateParams list them), its notable input items and parts, and what becomes of each on the other
 * formats' upstreams. On a Responses upstream every field passes through unchanged (the caller's body, `model`
 * replaced), including fields added to the API after this table: those are refused elsewhere by name.
 * test/unit/formats-openai-responses.test.ts walks the table through every format's builder.
 */
import type { FieldRule, FieldVerdict } from '../types';
import { encryptedFor } from './reasoning';

/** A row, and the body that lacks just this field when that is not MINIMAL_BODY (merged over it too). */
export interface ResponsesFieldRule extends FieldRule {
  without?: Record<string, unknown>;
  /** The field a refusal names, when it is not `field` (a prefix: indices written `[]`). */
  refusedAs?: string;
}

export const MINIMAL_BODY: Record<string, unknown> = {
  model: 'gpt-4.1-2025-04-14',
  input: [{ role: 'user', content: 'Hello' }],
};

const both = (v: FieldVerdict) => ({ 'openai-chat': v, anthropic: v });
const across = (chat: FieldVerdict, anthropic: FieldVerdict) => ({ 'openai-chat': chat, anthropic });
const user = (...content: unknown[]) => ({ input: [{ role: 'user', content }] });
const hello = { type: 'input_text', text: 'Hello' };
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const call = { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
const toolLoop = (result: Record<string, unknown>, extraCall: Record<string, unknown> = {}) => ({
  tools: [weather],
  input: [{ role: 'user', content: 'Weather in Paris?' }, { ...call, ...extraCall }, { type: 'function_call_output', call_id: 'call_1', ...result }],
});
/** A conversation with `items` in the assistant's turn before its reply. */
const afterTurn = (...items: unknown[]) => ({
  input: [{ role: 'user', content: 'Hello' }, ...items, { role: 'assistant', content: 'Hi.' }, { role: 'user', content: 'More' }],
});
const plainTurn = afterTurn();
const reply = (part: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  afterTurn({ type: 'message', role: 'assistant', content: [part], ...extra });
const untranslatable = (field: string, sample: Record<string, unknown>, note: string, refusedAs?: string): ResponsesFieldRule => ({
  field, sample, same: 'passed', across: both('refused'), note, ...(refusedAs ? { refusedAs } : {}),
});
const builtInTool = (type: string, extra: Record<string, unknown> = {}) =>
  untranslatable(`tools[] (${type})`, { tools: [{ type, ...extra }] }, 'a built-in tool runs at OpenAI; no other provider has it');
const builtInItem = (type: string, item: Record<string, unknown>) =>
  untranslatable(`input[] (${type})`, { input: [{ role: 'user', content: 'Hello' }, { type, ...item }] }, 'an item of a built-in tool or of OpenAI-side state; no other provider has it');
const removed = (field: string, sample: Record<string, unknown>, note: string): ResponsesFieldRule => ({ field, sample, same: 'passed', across: both('removed'), note });

export const REQUEST_FIELDS: ResponsesFieldRule[] = [
  { field: 'model', sample: { model: 'switchyard/auto' }, same: 'owned', across: both('owned'), note: 'routing picks the model; the target\'s pinned id is sent' },
  { field: 'stream', sample: { stream: true }, same: 'owned', across: both('owned'), note: 'the caller\'s choice, sent on as the target format\'s own flag' },

  // ---- input ----
  { field: 'input (string)', sample: { input: 'Hello there' }, same: 'passed', across: both('translated'), note: 'one user message' },
  { field: 'input[] (message, user)', sample: { input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] }] }, same: 'passed', across: both('translated') },
  { field: 'input[].role (system, developer)', sample: { input: [{ role: 'developer', content: 'Be brief.' }, { role: 'system', content: 'No markdown.' }, { role: 'user', content: 'Hello' }] }, same: 'passed', across: both('translated'), note: 'join the system prompt, after instructions, in order' },
  { field: 'input[].content[].input_text', sample: user({ type: 'input_text', text: 'Hello there' }), same: 'passed', across: both('translated') },
  {
    field: 'input[].content[].prompt_cache_breakpoint', sample: user({ ...hello, prompt_cache_breakpoint: { mode: 'explicit' } }), without: user(hello),
    same: 'passed', across: across('removed', 'translated'), note: 'an explicit cache breakpoint: Anthropic cache_control; removed on chat (OpenAI caches prefixes by itself)',
  },
  { field: 'input[].content[].input_image (URL)', sample: user(hello, { type: 'input_image', image_url: 'https://example.com/cat.png' }), same: 'passed', across: both('translated') },
  { field: 'input[].content[].input_image (data URL)', sample: user(hello, { type: 'input_image', image_url: `data:image/png;base64,${PNG}` }), same: 'passed', across: both('translated'), note: 'base64 image' },
  {
    field: 'input[].content[].input_image.detail', sample: user(hello, { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' }),
    without: user(hello, { type: 'input_image', image_url: 'https://example.com/cat.png' }), same: 'passed', across: across('translated', 'removed'),
    note: 'chat image_url.detail; Anthropic chooses the resolution itself. `original` has no equal elsewhere: refused',
  },
  {
    field: 'input[].content[].input_image.file_id', sample: user(hello, { type: 'input_image', file_id: 'file-abc123' }), same: 'passed', across: both('refused'),
    refusedAs: 'input[].content[]',
    note: 'an image uploaded to OpenAI: chat image parts take a URL or data, and no other provider can read it',
  },
  {
    field: 'input[].content[].input_file.file_data', sample: user(hello, { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' }),
    same: 'passed', across: both('translated'), note: 'a PDF as a data URL (bare base64 is read as a PDF): chat file part, Anthropic document',
  },
  {
    field: 'input[].content[].input_file.filename', sample: user(hello, { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' }),
    without: user(hello, { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}` }), same: 'passed', across: both('translated'), note: 'chat file name, Anthropic document title',
  },
  {
    field: 'input[].content[].input_file.file_id', sample: user(hello, { type: 'input_file', file_id: 'file-abc123' }), same: 'passed', across: across('translated', 'refused'),
    refusedAs: 'input[].content[]',
    note: 'a file uploaded to OpenAI: readable by OpenAI\'s chat API, by no other provider',
  },
  {
    field: 'input[].content[].input_file.file_url', sample: user(hello, { type: 'input_file', file_url: 'https://example.com/report.pdf' }), same: 'passed', across: across('refused', 'translated'),
    refusedAs: 'input[].content[]', note: 'Anthropic reads documents by URL; chat file parts cannot',
  },
  untranslatable('input[].content[].input_file.detail', user(hello, { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'r.pdf', detail: 'low' }), 'no other format has a resolution for files', 'input[].content[].detail'),
  { field: 'input[] (message, assistant).content[].output_text', sample: reply({ type: 'output_text', text: 'Hello to you.' }), without: plainTurn, same: 'passed', across: both('translated') },
  {
    field: 'input[].content[].output_text.annotations', sample: reply({ type: 'output_text', text: 'See [1].', annotations: [{ type: 'url_citation', url: 'https://example.com', start_index: 4, end_index: 7, title: 'Example' }] }),
    without: reply({ type: 'output_text', text: 'See [1].' }), same: 'passed', across: both('removed'), note: 'the platform\'s notes on an earlier answer (citations, logprobs): not model input',
  },
  { field: 'input[].content[].refusal', sample: reply({ type: 'refusal', refusal: 'I cannot help with that.' }), without: plainTurn, same: 'passed', across: both('translated'), note: 'the refusal\'s text, as the assistant\'s' },
  {
    field: 'input[].id, input[].status', sample: reply({ type: 'output_text', text: 'Hello to you.' }, { id: 'msg_abc', status: 'completed' }),
    without: reply({ type: 'output_text', text: 'Hello to you.' }), same: 'passed', across: both('removed'), note: 'bookkeeping of an output item sent back; the other formats have none',
  },
  untranslatable('input[].phase', reply({ type: 'output_text', text: 'Working on it.' }, { phase: 'commentary' }), 'the model\'s own phase marker (commentary, final answer); no other format has it'),
  { field: 'input[] (function_call)', sample: toolLoop({ output: 'Sunny' }), same: 'passed', across: both('translated'), note: 'chat tool_calls, Anthropic tool_use (arguments parsed as JSON); call_id is the id' },
  untranslatable('input[].namespace', toolLoop({ output: 'Sunny' }, { namespace: 'weather' }), 'namespaced tools exist only in the Responses API'),
  { field: 'input[] (function_call_output)', sample: toolLoop({ output: 'Sunny' }), without: toolLoop({ output: 'Rain' }), same: 'passed', across: both('translated'), note: 'chat tool message, Anthropic tool_result' },
  {
    field: 'input[].output[] (content parts)', sample: toolLoop({ output: [{ type: 'input_text', text: 'Sunny' }, { type: 'input_text', text: '24 °C' }] }),
    without: toolLoop({ output: 'Sunny24 °C' }), same: 'passed', across: both('translated'), note: 'multi-part results, parts kept apart',
  },
  {
    field: 'input[].output[].input_image', sample: toolLoop({ output: [{ type: 'input_text', text: 'Chart:' }, { type: 'input_image', image_url: `data:image/png;base64,${PNG}` }] }),
    without: toolLoop({ output: 'Chart:' }), same: 'passed', across: across('refused', 'translated'), refusedAs: 'input[]', note: 'chat tool messages carry text only',
  },
  {
    field: 'input[] (reasoning)', sample: afterTurn({ type: 'reasoning', id: 'rs_abc', summary: [{ type: 'summary_text', text: 'The user greets me.' }], encrypted_content: 'gAAAAABo-opaque' }),
    without: plainTurn, same: 'passed', across: both('removed'), note: 'OpenAI\'s own reasoning, encrypted: only OpenAI can read it. Sent back on OpenAI Responses targets; removed elsewhere',
  },
  {
    field: 'input[] (reasoning carrying Anthropic thinking)',
    sample: afterTurn({ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'The user greets me.' }], encrypted_content: encryptedFor({ format: 'anthropic', text: 'The user greets me.', signature: 'EqQBCgIYAhIM' }) }),
    without: plainTurn, same: 'owned', across: across('removed', 'translated'),
    note: 'Claude\'s thinking given to a Responses client rides in encrypted_content (reasoning.ts): it goes back to Anthropic with its signature; removed elsewhere, OpenAI included (Switchyard wrote it; OpenAI cannot read it)',
  },
  builtInItem('item_reference', { id: 'msg_abc' }),
  builtInItem('web_search_call', { id: 'ws_1', status: 'completed', action: { type: 'search', query: 'weather' } }),
  builtInItem('file_search_call', { id: 'fs_1', status: 'completed', queries: ['weather'] }),
  builtInItem('computer_call', { id: 'cu_1', call_id: 'call_c', status: 'completed', action: { type: 'screenshot' }, pending_safety_checks: [] }),
  builtInItem('custom_tool_call', { call_id: 'call_x', name: 'apply_patch', input: '*** Begin Patch' }),
  builtInItem('mcp_call', { id: 'mcp_1', server_label: 'deepwiki', name: 'ask', arguments: '{}' }),

  // ---- instructions, tools ----
  { field: 'instructions', sample: { instructions: 'Be brief.' }, same: 'passed', across: both('translated'), note: 'the system prompt, first' },
  { field: 'tools[] (function)', sample: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'chat function tools, Anthropic tools (parameters as input_schema)' },
  {
    field: 'tools[].strict', sample: { tools: [{ ...weather, strict: true }] }, without: { tools: [weather] }, same: 'passed', across: both('translated'),
    note: 'Responses makes a function strict when strict is left out; other formats are not strict then, so a tool without it is sent there best-effort (not strict)',
  },
  untranslatable('tools[].defer_loading', { tools: [{ ...weather, defer_loading: true }] }, 'tool search exists only in the Responses API'),
  builtInTool('web_search'),
  {
    field: 'tools[] (web_search, external_web_access false)', sample: { tools: [weather, { type: 'web_search', external_web_access: false }] }, without: { tools: [weather] },
    same: 'passed', across: both('removed'), note: 'search of OpenAI\'s cached index only (Codex sends it by default): nothing another provider could run, and no live access was wanted',
  },
  {
    field: 'tools[] (namespace)', sample: { tools: [{ type: 'namespace', name: 'agents', description: 'Sub-agents', tools: [weather] }] },
    same: 'passed', across: both('translated'), note: 'a named group of function tools (Codex\'s multi_agent_v1): the other formats get its tools; their calls come back by the tool\'s own name',
  },
  builtInTool('file_search', { vector_store_ids: ['vs_1'] }),
  builtInTool('computer_use_preview', { display_width: 1024, display_height: 768, environment: 'browser' }),
  builtInTool('code_interpreter', { container: { type: 'auto' } }),
  builtInTool('image_generation'),
  builtInTool('mcp', { server_label: 'deepwiki', server_url: 'https://mcp.deepwiki.com/mcp', require_approval: 'never' }),
  builtInTool('custom', { name: 'apply_patch', description: 'Apply a patch' }),
  builtInTool('local_shell'),
  { field: 'tool_choice (auto, required, none)', sample: { tools: [weather], tool_choice: 'required' }, without: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'Anthropic any for required' },
  { field: 'tool_choice (function)', sample: { tools: [weather], tool_choice: { type: 'function', name: 'get_weather' } }, without: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'chat named function, Anthropic tool' },
  {
    field: 'tool_choice (allowed_tools)', sample: { tools: [weather, { ...weather, name: 'get_time' }], tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'get_weather' }] } },
    without: { tools: [weather, { ...weather, name: 'get_time' }] }, same: 'passed', across: both('translated'),
    note: 'only the allowed tools are sent, with the mode as the choice: the model can do the same. With built-in tools in the list: refused',
  },
  untranslatable('tool_choice (built-in tool)', { tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search_preview' } }, 'a built-in tool runs at OpenAI', 'tools[]'),
  { field: 'parallel_tool_calls', sample: { tools: [weather], parallel_tool_calls: false }, without: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'Anthropic disable_parallel_tool_use, negated' },
  { field: 'max_tool_calls', sample: { max_tool_calls: 3 }, same: 'passed', across: both('removed'), note: 'caps calls of built-in tools, which a translated request cannot have' },

  // ---- output shape, reasoning, sampling ----
  {
    field: 'text.format (json_schema)', sample: { text: { format: { type: 'json_schema', name: 'city', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false }, strict: true } } },
    same: 'passed', across: both('translated'), note: 'chat response_format; Anthropic: a forced tool whose input is the answer, turned back into JSON text (refused with tools, or while thinking)',
  },
  { field: 'text.format (json_object)', sample: { text: { format: { type: 'json_object' } } }, same: 'passed', across: both('translated'), note: 'as json_schema, with any object' },
  { field: 'text.format (text)', sample: { text: { format: { type: 'text' } } }, same: 'passed', across: both('removed'), note: 'the default everywhere' },
  untranslatable('text.verbosity', { text: { verbosity: 'low' } }, 'low and high have no carrier in Switchyard\'s canonical request; medium, the default, is removed'),
  removed('text.verbosity (medium)', { text: { verbosity: 'medium' } }, 'the default'),
  { field: 'reasoning.effort', sample: { reasoning: { effort: 'high' } }, same: 'passed', across: both('translated'), note: 'chat reasoning_effort; Anthropic thinking with budget_tokens 1024 / 2048 / 8192 / 24576 for minimal / low / medium / high' },
  {
    field: 'reasoning.effort (none)', sample: { reasoning: { effort: 'none' } }, same: 'passed', across: across('removed', 'translated'),
    note: 'no reasoning: Anthropic thinking disabled; on chat the default (no reasoning_effort) is sent',
  },
  untranslatable('reasoning.effort (xhigh, max)', { reasoning: { effort: 'xhigh' } }, 'efforts above high have no equal in other formats', 'reasoning.effort'),
  {
    field: 'reasoning.summary', sample: { reasoning: { effort: 'medium', summary: 'auto' } }, without: { reasoning: { effort: 'medium' } }, same: 'passed', across: both('removed'),
    note: 'how OpenAI shows its reasoning: Anthropic always returns its thinking, chat never; alone (no effort) it asks for default reasoning',
  },
  untranslatable('reasoning.context', { reasoning: { effort: 'medium', context: 'all_turns' } }, 'which reasoning items OpenAI renders on later turns'),
  untranslatable('reasoning.mode', { reasoning: { effort: 'medium', mode: 'pro' } }, 'OpenAI\'s reasoning execution mode'),
  { field: 'max_output_tokens', sample: { max_output_tokens: 1000 }, same: 'passed', across: both('translated'), note: 'chat max_completion_tokens (max_tokens on compatible servers), Anthropic max_tokens (with thinking, the budget on top)' },
  { field: 'temperature', sample: { temperature: 0.5 }, same: 'passed', across: both('translated'), note: 'Anthropic: clamped to its 0–1' },
  { field: 'top_p', sample: { top_p: 0.9 }, same: 'passed', across: both('translated') },
  untranslatable('top_logprobs', { top_logprobs: 5 }, 'logprobs have no canonical home'),
  untranslatable('include (message.output_text.logprobs)', { include: ['message.output_text.logprobs'] }, 'logprobs have no canonical home', 'include[]'),
  removed('include (reasoning.encrypted_content, tool outputs)', { include: ['reasoning.encrypted_content', 'web_search_call.action.sources'] }, 'a translated answer carries whatever lets its reasoning come back (reasoning.ts); built-in tools cannot be in it'),

  // ---- identity, state, OpenAI's platform ----
  { field: 'user', sample: { user: 'user-42' }, same: 'passed', across: both('translated'), note: 'chat user, Anthropic metadata.user_id' },
  {
    field: 'safety_identifier', sample: { safety_identifier: 'user-42' }, same: 'passed', across: both('translated'),
    note: 'the end-user id when user is absent; both, different: refused (other formats have one id)',
  },
  removed('prompt_cache_key', { prompt_cache_key: 'session-1' }, 'a hint for OpenAI\'s prompt cache; a translated prompt is cached by its target\'s own rules'),
  removed('prompt_cache_retention', { prompt_cache_retention: '24h' }, 'as prompt_cache_key'),
  removed('prompt_cache_options', { prompt_cache_options: { mode: 'implicit' } }, 'as prompt_cache_key'),
  removed('metadata', { metadata: { ticket: 'T-1' } }, 'tags the stored response; a translated answer is never stored'),
  removed('client_metadata', { client_metadata: { 'x-codex-turn-metadata': '{}' } }, 'the client\'s own bookkeeping for OpenAI (Codex sends its session ids): nothing a model reads'),
  removed('store', { store: true }, 'a translated answer is never stored upstream: the answer says store: false, and previous_response_id cannot continue it'),
  { ...removed('stream_options', { stream: true, stream_options: { include_obfuscation: false } }, 'obfuscation is OpenAI\'s own stream padding; translated streams have none'), without: { stream: true } },
  untranslatable('previous_response_id', { previous_response_id: 'resp_abc', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'Sunny' }] }, 'conversation state only OpenAI\'s Responses API keeps: send the whole conversation in input'),
  untranslatable('conversation', { conversation: 'conv_abc' }, 'as previous_response_id'),
  untranslatable('prompt', { prompt: { id: 'pmpt_abc', variables: { city: 'Paris' } } }, 'a prompt template stored at OpenAI'),
  untranslatable('background', { background: true }, 'a response run and stored at OpenAI'),
  untranslatable('truncation', { truncation: 'auto' }, 'OpenAI drops the oldest items to fit; other upstreams refuse an overlong prompt. disabled (the default) is removed'),
  untranslatable('service_tier', { service_tier: 'flex' }, 'OpenAI\'s processing tiers; auto and default are removed'),
  untranslatable('context_management', { context_management: [{ type: 'compaction', compact_threshold: 100000 }] }, 'compaction run by OpenAI'),
  untranslatable('moderation', { moderation: { model: 'omni-moderation-latest' } }, 'moderation run by OpenAI'),
];

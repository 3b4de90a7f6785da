/**
 * Every field of the Anthropic messages request (POST /v1/messages, as the API reference and the official SDK's
 * MessageCreateParams list them, beta fields included) and what becomes of it on each other format's upstream.
 * On an Anthropic upstream every field passes through unchanged (the caller's body, `model` replaced), including
 * fields added to the API after this table: those are refused elsewhere by name. test/unit/formats-anthropic.test.ts
 * walks the table through every format's builder.
 */
import type { FieldRule, FieldVerdict } from '../types';

/** A row, and the body that lacks just this field when that is not MINIMAL_BODY (merged over it too). */
export interface AnthropicFieldRule extends FieldRule {
  without?: Record<string, unknown>;
  /** The field a refusal names, when it is not `field` (a prefix: indices written `[]`). */
  refusedAs?: string;
}

export const MINIMAL_BODY: Record<string, unknown> = {
  model: 'claude-sonnet-4-20250514',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello' }],
};

const both = (v: FieldVerdict) => ({ 'openai-chat': v, 'openai-responses': v });
const user = (...content: unknown[]) => ({ messages: [{ role: 'user', content }] });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weather = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const toolLoop = (result: Record<string, unknown>) => ({
  tools: [weather],
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', ...result }] },
  ],
});
const afterTurn = (block: Record<string, unknown>) => ({
  messages: [
    { role: 'user', content: 'Hello' },
    { role: 'assistant', content: [block, { type: 'text', text: 'Hi.' }] },
    { role: 'user', content: 'More' },
  ],
});
const plainTurn = { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi.' }, { role: 'user', content: 'More' }] };
const serverTool = (type: string, name: string, extra: Record<string, unknown> = {}): AnthropicFieldRule => ({
  field: `tools[] (${type})`,
  sample: { tools: [{ type, name, ...extra }] },
  same: 'passed',
  across: both('refused'),
  note: 'a server tool runs at Anthropic; no other provider has it',
});
const untranslatable = (field: string, sample: Record<string, unknown>, note: string, refusedAs?: string): AnthropicFieldRule => ({
  field, sample, same: 'passed', across: both('refused'), note, ...(refusedAs ? { refusedAs } : {}),
});

export const REQUEST_FIELDS: AnthropicFieldRule[] = [
  { field: 'model', sample: { model: 'switchyard/auto' }, same: 'owned', across: both('owned'), note: 'routing picks the model; the target\'s pinned id is sent' },
  { field: 'stream', sample: { stream: true }, same: 'owned', across: both('owned'), note: 'the caller\'s choice, sent on as the target format\'s own flag' },
  {
    field: 'max_tokens', sample: { max_tokens: 1000 }, same: 'passed', across: both('translated'),
    note: 'required. OpenAI chat max_completion_tokens (max_tokens on OpenAI-compatible servers), Responses max_output_tokens. Building Anthropic from elsewhere: 4096 when absent; with thinking, the budget comes on top',
  },
  untranslatable('max_tokens = 0', { max_tokens: 0 }, 'only warms Anthropic\'s prompt cache, with no answer', 'max_tokens'),

  { field: 'system', sample: { system: 'Be brief.' }, same: 'passed', across: both('translated'), note: 'OpenAI chat: a leading system message; Responses: instructions' },
  { field: 'system[]', sample: { system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use metric units.' }] }, same: 'passed', across: both('translated'), note: 'text blocks, kept apart and in order' },
  {
    field: 'system[].cache_control', sample: { system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] }, without: { system: 'Be brief.' },
    same: 'passed', across: both('removed'), note: 'OpenAI caches prompts by itself: cache markers are removed there',
  },
  untranslatable('system[].citations', { system: [{ type: 'text', text: 'Be brief.', citations: [{ type: 'char_location', cited_text: 'B', document_index: 0, document_title: null, start_char_index: 0, end_char_index: 1 }] }] }, 'citations are Anthropic\'s alone'),

  { field: 'messages[].role: assistant', sample: plainTurn, same: 'passed', across: both('translated'), note: 'turns in order; the last one may be an assistant prefill' },
  {
    field: 'messages[].role: system', sample: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] },
    same: 'passed', across: both('translated'), note: 'system messages before the first turn join the system prompt',
  },
  {
    field: 'messages[] (system) between turns', sample: { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi.' }, { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'More' }] },
    without: { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi.' }, { role: 'user', content: 'More' }] },
    same: 'passed', across: both('translated'), note: 'joins the system prompt in order, as a chat caller\'s system messages do (Claude Code sends one after the first turn)',
  },
  { field: 'messages[].content[].text', sample: user({ type: 'text', text: 'Hello' }, { type: 'text', text: 'again' }), same: 'passed', across: both('translated') },
  {
    field: 'messages[].content[].cache_control', sample: user({ type: 'text', text: 'Hello', cache_control: { type: 'ephemeral', ttl: '1h' } }),
    same: 'passed', across: both('removed'), note: 'on every block type; OpenAI caches prompts by itself',
  },
  untranslatable('messages[].content[].citations', user({ type: 'text', text: 'Hello', citations: [{ type: 'char_location', cited_text: 'H', document_index: 0, document_title: null, start_char_index: 0, end_char_index: 1 }] }), 'citations are Anthropic\'s alone'),

  { field: 'messages[].content[].image (base64)', sample: user({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'What is this?' }), same: 'passed', across: both('translated'), note: 'a data: URL' },
  { field: 'messages[].content[].image (url)', sample: user({ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }, { type: 'text', text: 'What is this?' }), same: 'passed', across: both('translated') },
  untranslatable('messages[].content[].image (file)', user({ type: 'image', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } }), 'a file id names a file uploaded to Anthropic', 'messages[].content[]'),
  untranslatable('messages[].content[].image.transformations', user({ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' }, transformations: { oversized_image: 'error' } }), 'Anthropic\'s image resizing control', 'messages[].content[].transformations'),

  { field: 'messages[].content[].document (base64 pdf)', sample: user({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } }, { type: 'text', text: 'Summarise.' }), same: 'passed', across: both('translated'), note: 'OpenAI chat: a file part with file_data; Responses: input_file' },
  {
    field: 'messages[].content[].document (url)', sample: user({ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }, { type: 'text', text: 'Summarise.' }),
    same: 'passed', across: { 'openai-chat': 'refused', 'openai-responses': 'translated' }, note: 'Responses: input_file with file_url; chat file parts take no URL',
    refusedAs: 'messages[].content[]',
  },
  { field: 'messages[].content[].document (text)', sample: user({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Plain notes.' } }, { type: 'text', text: 'Summarise.' }), same: 'passed', across: both('translated'), note: 'as text' },
  untranslatable('messages[].content[].document (content)', user({ type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Chunk one.' }] } }), 'chunked documents for citations are Anthropic\'s alone', 'messages[].content[].source'),
  untranslatable('messages[].content[].document (file)', user({ type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } }), 'a file id names a file uploaded to Anthropic', 'messages[].content[]'),
  {
    field: 'messages[].content[].document.title', sample: user({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'report.pdf' }),
    without: user({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } }), same: 'passed', across: both('translated'), note: 'as the file name',
  },
  untranslatable('messages[].content[].document.context', user({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Notes.' }, context: 'From the wiki' }), 'Anthropic\'s document metadata for the model', 'messages[].content[].context'),
  untranslatable('messages[].content[].document.citations', user({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Notes.' }, citations: { enabled: true } }), 'cited answers are Anthropic\'s alone', 'messages[].content[].citations'),

  { field: 'messages[].content[].tool_use + tool_result', sample: toolLoop({ content: 'Sunny, 24 °C' }), same: 'passed', across: both('translated'), note: 'assistant tool_calls / function_call items, then tool messages / function_call_output items; input as JSON text' },
  { field: 'messages[].content[].tool_result.content[]', sample: toolLoop({ content: [{ type: 'text', text: 'Sunny' }, { type: 'text', text: '24 °C' }] }), without: toolLoop({ content: 'Sunny24 °C' }), same: 'passed', across: both('translated'), note: 'multi-part results, parts kept apart' },
  {
    field: 'messages[].content[].tool_result.content[].image', sample: toolLoop({ content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/map.png' } }] }),
    same: 'passed', across: { 'openai-chat': 'refused', 'openai-responses': 'translated' }, note: 'chat tool messages carry text only; Responses function_call_output takes images',
    refusedAs: 'messages[]',
  },
  { field: 'messages[].content[].tool_result.is_error', sample: toolLoop({ content: 'City not found', is_error: true }), without: toolLoop({ content: 'City not found' }), same: 'passed', across: both('translated'), note: 'the other formats have no error flag: the result is marked as an error in its text' },
  untranslatable('messages[].content[].tool_result.content[] (search_result)', toolLoop({ content: [{ type: 'search_result', source: 'https://example.com', title: 'Example', content: [{ type: 'text', text: 'Result' }] }] }), 'search results for citations are Anthropic\'s alone', 'messages[].content[].content[] (search_result)'),
  { field: 'messages[].content[].tool_use.cache_control', sample: { ...toolLoop({ content: 'Sunny' }), messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' }, cache_control: { type: 'ephemeral' } }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'Sunny' }] }] }, without: toolLoop({ content: 'Sunny' }), same: 'passed', across: both('removed') },
  untranslatable('messages[].content[].tool_use.caller', { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {}, caller: { type: 'code_execution_20250825', tool_id: 'srvtoolu_1' } }] }] }, 'a call made from Anthropic\'s code execution', 'messages[].content[].caller'),

  { field: 'messages[].content[].thinking', sample: afterTurn({ type: 'thinking', thinking: 'The user greets me.', signature: 'EqQBCgIYAhIM' }), without: plainTurn, same: 'passed', across: both('removed'), note: 'Claude\'s own reasoning, signed: only Anthropic can verify it. Sent back unchanged on Anthropic; removed elsewhere' },
  { field: 'messages[].content[].redacted_thinking', sample: afterTurn({ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }), without: plainTurn, same: 'passed', across: both('removed'), note: 'as thinking' },
  untranslatable('messages[].content[] (server_tool_use, web_search_tool_result…)', {
    messages: [
      { role: 'user', content: 'News?' },
      { role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'news' } }, { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] }] },
      { role: 'user', content: 'Thanks' },
    ],
  }, 'server tool calls and their results (web search, web fetch, code execution, bash, text editor, tool search, MCP) ran at Anthropic', 'messages[].content[] (server_tool_use)'),
  untranslatable('messages[].content[] (search_result)', user({ type: 'search_result', source: 'https://example.com', title: 'Example', content: [{ type: 'text', text: 'Result' }] }), 'search results for citations are Anthropic\'s alone', 'messages[].content[] (search_result)'),
  untranslatable('messages[].content[] (container_upload)', user({ type: 'container_upload', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' }), 'a file for Anthropic\'s code execution container', 'messages[].content[] (container_upload)'),
  untranslatable('messages[].content[] (a block type added later)', user({ type: 'future_block', value: 1 }), 'unknown here: passed through on Anthropic, refused by name elsewhere', 'messages[].content[] (future_block)'),

  { field: 'tools[]', sample: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'function tools; input_schema as parameters' },
  { field: 'tools[].strict', sample: { tools: [{ ...weather, strict: true }] }, without: { tools: [weather] }, same: 'passed', across: both('translated') },
  { field: 'tools[].cache_control', sample: { tools: [{ ...weather, cache_control: { type: 'ephemeral' } }] }, without: { tools: [weather] }, same: 'passed', across: both('removed') },
  untranslatable('tools[].input_examples', { tools: [{ ...weather, input_examples: [{ city: 'Paris' }] }] }, 'example inputs are Anthropic\'s alone'),
  {
    field: 'tools[].defer_loading', sample: { tools: [weather, { ...weather, name: 'later', defer_loading: true }] }, without: { tools: [weather] },
    same: 'passed', across: both('removed'),
    note: 'a tool hidden until a tool search loads it (Claude Code sends a placeholder so): the other formats have no deferred loading, so their model sees what Claude would see at first — the tools not deferred',
  },
  untranslatable('tools[].allowed_callers', { tools: [{ ...weather, allowed_callers: ['code_execution_20250825'] }] }, 'calls from Anthropic\'s code execution'),
  {
    field: 'tools[].eager_input_streaming', sample: { tools: [{ ...weather, eager_input_streaming: true }] }, without: { tools: [weather] },
    same: 'passed', across: both('removed'), note: 'how Anthropic streams a tool\'s input; the other formats stream tool arguments as deltas anyway (the Vercel AI SDK sets it on every streamed tool)',
  },
  serverTool('web_search_20250305', 'web_search', { max_uses: 3 }),
  serverTool('web_fetch_20250910', 'web_fetch'),
  serverTool('bash_20250124', 'bash'),
  serverTool('text_editor_20250728', 'str_replace_based_edit_tool'),
  serverTool('computer_20250124', 'computer', { display_width_px: 1024, display_height_px: 768 }),
  serverTool('code_execution_20250825', 'code_execution'),
  serverTool('memory_20250818', 'memory'),
  serverTool('tool_search_tool_regex_20251119', 'tool_search_tool_regex'),

  { field: 'tool_choice: auto', sample: { tools: [weather], tool_choice: { type: 'auto' } }, without: { tools: [weather] }, same: 'passed', across: both('translated') },
  { field: 'tool_choice: any', sample: { tools: [weather], tool_choice: { type: 'any' } }, without: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'required' },
  { field: 'tool_choice: tool', sample: { tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' } }, without: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'a named function' },
  { field: 'tool_choice: none', sample: { tools: [weather], tool_choice: { type: 'none' } }, without: { tools: [weather] }, same: 'passed', across: both('translated') },
  {
    field: 'tool_choice.disable_parallel_tool_use', sample: { tools: [weather], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
    without: { tools: [weather], tool_choice: { type: 'auto' } }, same: 'passed', across: both('translated'), note: 'parallel_tool_calls: false',
  },

  { field: 'thinking: enabled', sample: { max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 } }, without: { max_tokens: 4096 }, same: 'passed', across: both('translated'), note: 'budget → effort: ≤1024 minimal, ≤4096 low, ≤16384 medium, else high' },
  { field: 'thinking: adaptive', sample: { thinking: { type: 'adaptive' } }, same: 'passed', across: both('removed'), note: 'the model decides how much to reason: on OpenAI, the model\'s default effort' },
  { field: 'thinking: disabled', sample: { thinking: { type: 'disabled' } }, same: 'passed', across: both('removed'), note: 'no reasoning is what OpenAI models without reasoning do anyway' },
  {
    field: 'thinking.display', sample: { thinking: { type: 'adaptive', display: 'omitted' } }, without: { thinking: { type: 'adaptive' } },
    same: 'passed', across: both('removed'), note: 'whether Anthropic returns the thinking text: the other formats return none of it to an Anthropic caller anyway',
  },
  untranslatable('thinking.type (another type)', { thinking: { type: 'between_tools' } }, 'a thinking mode no other format has', 'thinking.type'),
  { field: 'output_config.format', sample: { output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false } } } }, same: 'passed', across: both('translated'), note: 'response_format / text.format json_schema (named json_output)' },
  { field: 'output_config.effort', sample: { output_config: { effort: 'low' } }, same: 'passed', across: both('translated'), note: 'reasoning_effort / reasoning.effort' },
  untranslatable('output_config.effort: xhigh | max', { output_config: { effort: 'max' } }, 'efforts beyond high are Anthropic\'s', 'output_config.effort'),
  untranslatable('output_config.* (another option)', { output_config: { task_budget: { type: 'tokens', total: 1000 } } }, 'unknown here', 'output_config.task_budget'),
  { field: 'output_format', sample: { output_format: { type: 'json_schema', schema: { type: 'object', properties: { answer: { type: 'string' } } } } }, same: 'passed', across: both('translated'), note: 'the beta spelling of output_config.format' },

  { field: 'metadata.user_id', sample: { metadata: { user_id: 'user-42' } }, same: 'passed', across: both('translated'), note: 'OpenAI user / safety_identifier, Responses user' },
  untranslatable('metadata.* (another key)', { metadata: { session: 'abc' } }, 'unknown here', 'metadata.session'),
  { field: 'stop_sequences', sample: { stop_sequences: ['END'] }, same: 'passed', across: { 'openai-chat': 'translated', 'openai-responses': 'refused' }, note: 'OpenAI chat stop; the Responses API has no stop sequences' },
  { field: 'temperature', sample: { temperature: 0.3 }, same: 'passed', across: both('translated') },
  { field: 'top_p', sample: { top_p: 0.9 }, same: 'passed', across: both('translated') },
  { field: 'top_k', sample: { top_k: 40 }, same: 'passed', across: both('refused'), note: 'OpenAI has none (OpenAI-compatible servers take top_k: sent there)' },
  { field: 'cache_control', sample: { cache_control: { type: 'ephemeral' } }, same: 'passed', across: both('removed'), note: 'cache the longest prefix: OpenAI caches prompts by itself' },
  untranslatable('service_tier', { service_tier: 'standard_only' }, 'Anthropic\'s capacity tiers (auto, standard_only) are not OpenAI\'s'),
  untranslatable('container', { container: 'container_011CZ' }, 'Anthropic\'s code execution container'),
  untranslatable('mcp_servers', { mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'example' }] }, 'Anthropic\'s MCP connector'),
  untranslatable('context_management', { context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] } }, 'Anthropic\'s context editing'),
  {
    field: 'context_management (clear_thinking only)', sample: { context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } },
    same: 'passed', across: both('removed'), note: 'clears old thinking server-side (Claude Code sends it): the other formats are never sent Anthropic\'s thinking, so there is nothing to clear',
  },
  untranslatable('inference_geo', { inference_geo: 'us' }, 'Anthropic\'s inference region'),
  untranslatable('speed', { speed: 'fast' }, 'Anthropic\'s fast mode'),
  untranslatable('diagnostics', { diagnostics: { previous_message_id: 'msg_01' } }, 'Anthropic\'s prompt-cache diagnostics'),
  untranslatable('(a field added to the API later)', { a_field_added_later: { on: true } }, 'unknown here: passed through on Anthropic, refused by name elsewhere', 'a_field_added_later'),
];

/**
 * Every field of the OpenAI chat-completions request (POST /v1/chat/completions, as the API reference and the
 * official SDK's ChatCompletionCreateParams list them), its notable sub-fields, and what becomes of each on the
 * other formats' upstreams. On an OpenAI or OpenAI-compatible upstream every field passes through unchanged (the
 * caller's body, `model` replaced, `stream_options.include_usage` switched on for the ledger), including fields
 * added to the API after this table: those are refused by name elsewhere. test/unit/formats-openai-chat.test.ts
 * walks the table through every format's builder.
 *
 * A field sent at its default value asks for nothing and is not sent elsewhere either: `frequency_penalty` and
 * `presence_penalty` 0, `logit_bias` {}, `logprobs` false, `top_logprobs` 0, `metadata` {}, `modalities`
 * ["text"], `service_tier` "auto", `store` false, `verbosity` "medium", `n` 1, `response_format` text, `top_k` -1
 * or 0 (off, on the compatible servers that take it).
 */
import type { FieldRule, FieldVerdict } from '../types';

/** A row, and the body that lacks just this field when that is not MINIMAL_BODY (merged over it too). */
export interface ChatFieldRule extends FieldRule {
  without?: Record<string, unknown>;
  /** The field a refusal names, when it is not `field` (indices written `[]`). */
  refusedAs?: string;
}

export const MINIMAL_BODY: Record<string, unknown> = {
  model: 'gpt-4o-mini-2024-07-18',
  messages: [{ role: 'user', content: 'Hello' }],
};

const both = (v: FieldVerdict) => ({ anthropic: v, 'openai-responses': v });
const user = (...content: unknown[]) => ({ messages: [{ role: 'user', content }] });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';
const weatherFn = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const weather = { type: 'function', function: weatherFn };
const call = { id: 'call_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
const toolLoop = (result: unknown, assistant: Record<string, unknown> = {}) => ({
  tools: [weather],
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [call], ...assistant },
    { role: 'tool', tool_call_id: 'call_01', content: result },
  ],
});
const turn = (assistant: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', ...assistant }, { role: 'user', content: 'More' }],
});
const plainTurn = turn({ content: 'Hi.' });
const withTools = (extra: Record<string, unknown>): Pick<ChatFieldRule, 'sample' | 'without'> => ({ sample: { tools: [weather], ...extra }, without: { tools: [weather] } });
const untranslatable = (field: string, sample: Record<string, unknown>, note: string, refusedAs?: string): ChatFieldRule => ({
  field, sample, same: 'passed', across: both('refused'), note, ...(refusedAs ? { refusedAs } : {}),
});

export const REQUEST_FIELDS: ChatFieldRule[] = [
  { field: 'model', sample: { model: 'switchyard/auto' }, same: 'owned', across: both('owned'), note: 'routing picks the model; the target\'s pinned id is sent' },
  { field: 'stream', sample: { stream: true }, same: 'owned', across: both('owned'), note: 'the caller\'s choice, sent on as the target format\'s own flag' },
  {
    field: 'stream_options.include_usage', sample: { stream: true, stream_options: { include_usage: true } }, without: { stream: true },
    same: 'owned', across: both('owned'), note: 'always on upstream (the ledger needs usage); the caller gets the usage chunk only if it asked',
  },
  {
    field: 'stream_options.include_obfuscation', sample: { stream: true, stream_options: { include_obfuscation: false } }, without: { stream: true },
    same: 'passed', across: both('removed'), note: 'padding of OpenAI\'s own stream events; the other formats have none',
  },

  // ---- messages ----
  { field: 'messages', sample: plainTurn, same: 'passed', across: both('translated'), note: 'turns in order' },
  {
    field: 'messages[] (system)', sample: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }] },
    same: 'passed', across: both('translated'), note: 'system and developer messages, wherever they stand, form the system prompt in order (Anthropic system, Responses instructions)',
  },
  {
    field: 'messages[] (developer)', sample: { messages: [{ role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', content: 'Hello' }] },
    same: 'passed', across: both('translated'),
  },
  untranslatable('messages[].name (system, developer)', { messages: [{ role: 'system', content: 'Be brief.', name: 'ops' }, { role: 'user', content: 'Hello' }] }, 'a system prompt has no author name in the other formats', 'messages[].name'),
  {
    field: 'messages[].name (user, assistant)', sample: { messages: [{ role: 'user', content: 'Hello', name: 'ana' }] },
    same: 'passed', across: { anthropic: 'removed', 'openai-responses': 'refused' },
    note: 'a participant label: Anthropic has no place for it and the model answers the same; Responses input messages have none', refusedAs: 'messages[].name',
  },
  { field: 'messages[].content[] (text)', sample: user({ type: 'text', text: 'Hello' }, { type: 'text', text: 'again' }), same: 'passed', across: both('translated'), note: 'parts kept apart and in order' },
  {
    field: 'messages[].content[].prompt_cache_breakpoint', sample: user({ type: 'text', text: 'Hello', prompt_cache_breakpoint: { mode: 'explicit' } }), without: user({ type: 'text', text: 'Hello' }),
    same: 'passed', across: { anthropic: 'translated', 'openai-responses': 'removed' },
    note: 'the end of a cacheable prefix: Anthropic cache_control (ephemeral); removed on Responses, which has no marker of its own in this shape',
  },
  { field: 'messages[].content[].image_url (https)', sample: user({ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }), same: 'passed', across: both('translated') },
  {
    field: 'messages[].content[].image_url (data URL)', sample: user({ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }),
    same: 'passed', across: both('translated'), note: 'Anthropic: a base64 image source',
  },
  {
    field: 'messages[].content[].image_url.detail', sample: user({ type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } }),
    without: user({ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }), same: 'passed',
    across: { anthropic: 'removed', 'openai-responses': 'translated' }, note: 'a resolution hint: Anthropic chooses the resolution itself',
  },
  untranslatable('messages[].content[].input_audio', user({ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }), 'audio input is OpenAI\'s alone'),
  {
    field: 'messages[].content[].file.file_data', sample: user({ type: 'text', text: 'Summarise.' }, { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'a.pdf' } }),
    same: 'passed', across: both('translated'), note: 'Anthropic: a base64 PDF document; Responses: input_file',
  },
  {
    field: 'messages[].content[].file.filename', sample: user({ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' } }),
    without: user({ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}` } }), same: 'passed', across: both('translated'), note: 'Anthropic: the document title',
  },
  {
    field: 'messages[].content[].file.file_id', sample: user({ type: 'file', file: { file_id: 'file-abc123' } }), same: 'passed',
    across: { anthropic: 'refused', 'openai-responses': 'translated' }, note: 'an OpenAI file id: readable on OpenAI only', refusedAs: 'messages[].content[]',
  },
  untranslatable('messages[].content[] (a part type added later)', user({ type: 'future_part', value: 1 }), 'unknown here: passed through on OpenAI, refused by name elsewhere', 'messages[].content[]'),
  { field: 'messages[].content (assistant)', sample: turn({ content: [{ type: 'text', text: 'Hi.' }] }), same: 'passed', across: both('translated') },
  { field: 'messages[].refusal', sample: turn({ content: null, refusal: 'I cannot help with that.' }), without: turn({ content: null }), same: 'passed', across: both('translated'), note: 'what the assistant said: text' },
  { field: 'messages[].content[] (refusal)', sample: turn({ content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }), without: turn({ content: null }), same: 'passed', across: both('translated'), note: 'text' },
  { field: 'messages[].tool_calls + messages[] (tool)', sample: toolLoop('Sunny, 24 °C'), same: 'passed', across: both('translated'), note: 'Anthropic tool_use then tool_result blocks; Responses function_call then function_call_output items' },
  {
    field: 'messages[].name (tool)', sample: { tools: [weather], messages: [...toolLoop('Sunny').messages.slice(0, 2), { role: 'tool', tool_call_id: 'call_01', name: 'get_weather', content: 'Sunny' }] },
    without: toolLoop('Sunny'), same: 'passed', across: both('removed'), note: 'the name of the tool whose result this is (LangChain sends it): the call it answers already names it',
  },
  { field: 'messages[].content (tool, parts)', sample: toolLoop([{ type: 'text', text: 'Sunny' }, { type: 'text', text: '24 °C' }]), without: toolLoop('Sunny24 °C'), same: 'passed', across: both('translated'), note: 'multi-part results, parts kept apart' },
  untranslatable('messages[].tool_calls[] (custom)', {
    messages: [{ role: 'user', content: 'Run it' }, { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'custom', custom: { name: 'sh', input: 'ls' } }] }, { role: 'tool', tool_call_id: 'call_9', content: 'a.txt' }],
  }, 'a call of a free-text custom tool: the other formats\' tools take JSON', 'messages[].tool_calls[].custom'),
  {
    field: 'messages[].function_call + messages[] (function)', sample: {
      functions: [weatherFn],
      messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } }, { role: 'function', name: 'get_weather', content: 'Sunny' }],
    }, same: 'passed', across: both('translated'), note: 'legacy function calling, as tool calls (the id is derived from the message\'s position)',
  },
  untranslatable('messages[].audio', { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', audio: { id: 'audio_1' } }, { role: 'user', content: 'More' }] }, 'a previous audio answer, kept at OpenAI'),
  {
    field: 'messages[].reasoning_content', sample: turn({ content: 'Hi.', reasoning_content: 'The user greets me.' }), without: plainTurn, same: 'passed', across: both('removed'),
    note: 'a compatible server\'s (DeepSeek, vLLM) reasoning: sent back to compatible servers, removed where no one can verify it',
  },
  {
    field: 'messages[].thinking_blocks', sample: turn({ content: 'Hi.', reasoning_content: 'The user greets me.', thinking_blocks: [{ type: 'thinking', thinking: 'The user greets me.', signature: 'EqQBCgIYAhIM' }] }),
    without: plainTurn, same: 'passed', across: { anthropic: 'translated', 'openai-responses': 'removed' },
    note: 'Anthropic thinking carried through a chat client (signature kept): sent back on Anthropic, removed elsewhere',
  },
  untranslatable('messages[].* (a field added later)', { messages: [{ role: 'user', content: 'Hello', future_field: 1 }] }, 'unknown here', 'messages[].future_field'),

  // ---- tools ----
  { field: 'tools[] (function)', sample: { tools: [weather] }, same: 'passed', across: both('translated'), note: 'Anthropic input_schema; Responses function tools' },
  { field: 'tools[].function.strict', sample: { tools: [{ type: 'function', function: { ...weatherFn, strict: true } }] }, without: { tools: [weather] }, same: 'passed', across: both('translated') },
  untranslatable('tools[] (custom)', { tools: [{ type: 'custom', custom: { name: 'sh', description: 'A shell command' } }] }, 'free-text custom tools: the other formats\' tools take JSON', 'tools[].custom'),
  { field: 'tool_choice: auto', ...withTools({ tool_choice: 'auto' }), same: 'passed', across: both('translated') },
  { field: 'tool_choice: none', ...withTools({ tool_choice: 'none' }), same: 'passed', across: both('translated') },
  { field: 'tool_choice: required', ...withTools({ tool_choice: 'required' }), same: 'passed', across: both('translated'), note: 'Anthropic any' },
  { field: 'tool_choice: function', ...withTools({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }), same: 'passed', across: both('translated') },
  {
    field: 'tool_choice: allowed_tools', sample: { tools: [weather, { type: 'function', function: { name: 'get_time' } }], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_weather' } }] } } },
    without: { tools: [weather, { type: 'function', function: { name: 'get_time' } }] }, same: 'passed', across: both('translated'), note: 'only the allowed tools are sent, with the mode as the choice',
  },
  untranslatable('tool_choice: custom', { tools: [weather], tool_choice: { type: 'custom', custom: { name: 'sh' } } }, 'custom tools are OpenAI\'s alone', 'tool_choice.custom'),
  { field: 'parallel_tool_calls', ...withTools({ parallel_tool_calls: false }), same: 'passed', across: both('translated'), note: 'Anthropic tool_choice.disable_parallel_tool_use' },
  { field: 'functions', sample: { functions: [weatherFn] }, same: 'passed', across: both('translated'), note: 'legacy: as function tools' },
  { field: 'function_call', sample: { functions: [weatherFn], function_call: { name: 'get_weather' } }, without: { functions: [weatherFn] }, same: 'passed', across: both('translated'), note: 'legacy: as tool_choice' },

  // ---- output ----
  { field: 'max_completion_tokens', sample: { max_completion_tokens: 300 }, same: 'passed', across: both('translated'), note: 'Anthropic max_tokens, Responses max_output_tokens' },
  { field: 'max_tokens', sample: { max_tokens: 300 }, same: 'passed', across: both('translated'), note: 'as max_completion_tokens (which wins when both are sent)' },
  { field: 'response_format: json_object', sample: { response_format: { type: 'json_object' } }, same: 'passed', across: both('translated'), note: 'Anthropic: a forced json_output tool whose input is the answer' },
  {
    field: 'response_format: json_schema', sample: { response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false } } } },
    same: 'passed', across: both('translated'), note: 'Anthropic: a forced tool named after the schema; Responses text.format. With tools as well, refused on Anthropic',
  },
  { field: 'response_format: text', sample: { response_format: { type: 'text' } }, same: 'passed', across: both('removed'), note: 'the default' },
  { field: 'reasoning_effort', sample: { reasoning_effort: 'low' }, same: 'passed', across: both('translated'), note: 'Anthropic thinking budget: minimal 1024, low 2048, medium 8192, high 24576 (max_tokens raised by it)' },
  {
    field: 'reasoning_effort: none', sample: { reasoning_effort: 'none' }, same: 'passed', across: { anthropic: 'translated', 'openai-responses': 'removed' },
    note: 'Anthropic thinking disabled; on Responses no reasoning asked for is the default',
  },
  untranslatable('reasoning_effort: xhigh | max', { reasoning_effort: 'xhigh' }, 'efforts beyond high have no canonical value', 'reasoning_effort'),
  untranslatable('modalities', { modalities: ['text', 'audio'] }, 'audio output is OpenAI\'s alone; ["text"] is the default'),
  untranslatable('audio', { audio: { voice: 'alloy', format: 'wav' } }, 'audio output is OpenAI\'s alone'),
  untranslatable('prediction', { prediction: { type: 'content', content: 'Hello' } }, 'predicted outputs are OpenAI\'s alone'),
  untranslatable('verbosity', { verbosity: 'low' }, 'canonical has no verbosity; "medium" is the default'),
  untranslatable('web_search_options', { web_search_options: { search_context_size: 'low' } }, 'OpenAI\'s built-in web search'),
  untranslatable('logprobs', { logprobs: true }, 'log probabilities are OpenAI\'s alone'),
  untranslatable('top_logprobs', { top_logprobs: 3 }, 'log probabilities are OpenAI\'s alone'),
  untranslatable('n', { n: 2 }, 'one answer per request elsewhere (n: 1 is the default)'),

  // ---- sampling ----
  { field: 'temperature', sample: { temperature: 0.3 }, same: 'passed', across: both('translated'), note: 'Anthropic clamps to its 0–1 range' },
  { field: 'top_p', sample: { top_p: 0.9 }, same: 'passed', across: both('translated') },
  {
    field: 'top_k', sample: { top_k: 40 }, same: 'passed', across: { anthropic: 'translated', 'openai-responses': 'refused' },
    note: 'not OpenAI\'s, but the compatible servers take it (sent on there); OpenAI has none',
  },
  { field: 'stop', sample: { stop: ['END'] }, same: 'passed', across: { anthropic: 'translated', 'openai-responses': 'refused' }, note: 'Anthropic stop_sequences; the Responses API has no stop sequences' },
  untranslatable('seed', { seed: 7 }, 'no sampling seed elsewhere'),
  untranslatable('frequency_penalty', { frequency_penalty: 0.5 }, 'no repetition penalties elsewhere (0 is the default)'),
  untranslatable('presence_penalty', { presence_penalty: 0.5 }, 'no repetition penalties elsewhere (0 is the default)'),
  untranslatable('logit_bias', { logit_bias: { 50256: -100 } }, 'token ids are the model\'s own'),

  // ---- identity, storage, service ----
  { field: 'user', sample: { user: 'user-42' }, same: 'passed', across: both('translated'), note: 'Anthropic metadata.user_id, Responses user' },
  { field: 'safety_identifier', sample: { safety_identifier: 'user-42' }, same: 'passed', across: both('translated'), note: 'as user (a different user alongside it is refused)' },
  untranslatable('metadata', { metadata: { project: 'x' } }, 'OpenAI\'s tags on a stored completion'),
  untranslatable('store', { store: true }, 'storing the completion at OpenAI (false, the default, is fine everywhere)'),
  untranslatable('service_tier', { service_tier: 'flex' }, 'OpenAI\'s processing tiers ("auto", the default, is fine everywhere)'),
  untranslatable('moderation', { moderation: { model: 'omni-moderation-latest' } }, 'OpenAI\'s moderated completions'),
  { field: 'prompt_cache_key', sample: { prompt_cache_key: 'session-1' }, same: 'passed', across: both('removed'), note: 'where OpenAI looks for a cached prefix: never changes the answer' },
  { field: 'prompt_cache_retention', sample: { prompt_cache_retention: '24h' }, same: 'passed', across: both('removed'), note: 'how long OpenAI keeps a cached prefix' },
  { field: 'prompt_cache_options', sample: { prompt_cache_options: { mode: 'explicit' } }, same: 'passed', across: both('removed'), note: 'OpenAI\'s implicit cache breakpoint on or off' },
  untranslatable('(a field added to the API later)', { a_field_added_later: { on: true } }, 'unknown here: passed through on OpenAI, refused by name elsewhere', 'a_field_added_later'),
];

/**
 * Structured output from another format (OpenAI `response_format`, Responses `text.format`) on an Anthropic
 * target: one forced tool whose input schema is the wanted schema. The model answers with a `tool_use` of that
 * tool, which the decoders turn back into the JSON text the caller asked for. A forced tool works on every Claude
 * model (Anthropic's own `output_config.format` only on recent ones), but it cannot share the request with the
 * caller's own tools or with thinking (Anthropic refuses forced tool use while thinking): both are refused.
 */
import type { CanonicalRequest, ResponseFormat } from '../../../shared/canonical';
import type { ToolParam } from './wire';

/** The tool's name for `json_object`, and for a schema without a usable name. */
const JSON_TOOL_NAME = 'json_output';

type JsonFormat = Exclude<ResponseFormat, { type: 'text' }>;

export function jsonFormat(request: CanonicalRequest): JsonFormat | undefined {
  const rf = request.responseFormat;
  return rf && rf.type !== 'text' ? rf : undefined;
}

function jsonToolName(format: JsonFormat): string {
  // Anthropic tool names: ^[a-zA-Z0-9_-]{1,128}$ (OpenAI's schema names are a subset of that).
  return format.type === 'json_schema' && /^[a-zA-Z0-9_-]{1,128}$/.test(format.name) ? format.name : JSON_TOOL_NAME;
}

export function jsonTool(format: JsonFormat): ToolParam {
  if (format.type === 'json_object') {
    return { name: JSON_TOOL_NAME, description: 'Give the answer as a JSON object.', input_schema: { type: 'object' } };
  }
  const tool: ToolParam = {
    name: jsonToolName(format),
    description: format.description ?? 'Give the answer as JSON that matches this schema.',
    input_schema: format.schema,
  };
  if (format.strict !== undefined) tool.strict = format.strict;
  return tool;
}

/**
 * The forced tool's name when `request` was built by this codec's builder with one (the decoders then read that
 * tool's input as the answer's text), else undefined. A caller speaking Anthropic itself got no forced tool.
 */
export function emulatedJsonTool(request: CanonicalRequest): string | undefined {
  const format = jsonFormat(request);
  if (!format || request.raw?.format === 'anthropic' || request.tools?.length) return undefined;
  return jsonToolName(format);
}

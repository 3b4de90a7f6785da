/**
 * `tools`, `tool_choice`, `parallel_tool_calls` and their legacy forms (`functions`, `function_call`) → canonical.
 * Function tools translate; custom (free-text) tools have no canonical form. `allowed_tools` narrows the tools the
 * model may call without changing the list (for prompt caching); canonical says the same by listing only those.
 */
import type { ToolChoice, ToolDefinition } from '../../../shared/canonical';
import { asText, invalid, isRecord } from '../common';
import { extraKeys, type Untranslatable } from './parseContent';

interface ParsedTools {
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
}

const TOOL_KEYS = new Set(['type', 'function']);
const FUNCTION_KEYS = new Set(['name', 'description', 'parameters', 'strict']);

function functionDefinition(fn: unknown, param: string, note: Untranslatable): ToolDefinition {
  if (!isRecord(fn)) invalid(param, `${param} must be an object with a name`);
  extraKeys(fn, FUNCTION_KEYS, param, note);
  if (typeof fn.name !== 'string' || !fn.name) invalid(`${param}.name`, `${param}.name must be a non-empty string`);
  // "Omitting parameters defines a function with an empty parameter list" (OpenAI's reference).
  const tool: ToolDefinition = { name: fn.name, parameters: { type: 'object', properties: {} } };
  if (fn.description !== undefined && fn.description !== null) {
    if (typeof fn.description !== 'string') invalid(`${param}.description`, `${param}.description must be a string`);
    tool.description = fn.description;
  }
  if (fn.parameters !== undefined && fn.parameters !== null) {
    if (!isRecord(fn.parameters)) invalid(`${param}.parameters`, `${param}.parameters must be a JSON Schema object`);
    tool.parameters = fn.parameters;
  }
  if (fn.strict !== undefined && fn.strict !== null) {
    if (typeof fn.strict !== 'boolean') invalid(`${param}.strict`, `${param}.strict must be a boolean`);
    tool.strict = fn.strict;
  }
  return tool;
}

function toolList(body: Record<string, unknown>, note: Untranslatable): ToolDefinition[] | undefined {
  const out: ToolDefinition[] = [];
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) invalid('tools', 'tools must be an array');
    body.tools.forEach((t, i) => {
      const p = `tools[${i}]`;
      if (!isRecord(t)) invalid(p, `${p} must be an object`);
      if (t.type === 'function') {
        extraKeys(t, TOOL_KEYS, p, note);
        out.push(functionDefinition(t.function, `${p}.function`, note));
      } else if (t.type === 'custom') note(`${p}.custom`);
      else note(p);
    });
  }
  if (body.functions !== undefined && body.functions !== null) {
    if (!Array.isArray(body.functions)) invalid('functions', 'functions must be an array');
    body.functions.forEach((f, i) => out.push(functionDefinition(f, `functions[${i}]`, note)));
  }
  return out.length ? out : undefined;
}

function namedFunction(v: unknown, param: string): string {
  if (!isRecord(v) || typeof v.name !== 'string' || !v.name) invalid(param, `${param} must be an object with the function's name`);
  return v.name;
}

/** `allowed_tools.tools` → the names of the function tools it allows (custom ones are untranslatable already). */
function allowedNames(v: unknown, param: string): Set<string> {
  if (!isRecord(v) || (v.mode !== 'auto' && v.mode !== 'required') || !Array.isArray(v.tools)) {
    invalid(param, `${param} must be {"mode":"auto"|"required","tools":[…]}`);
  }
  const names = new Set<string>();
  v.tools.forEach((t, i) => {
    if (!isRecord(t)) invalid(`${param}.tools[${i}]`, `${param}.tools[${i}] must be an object`);
    if (t.type === 'function') names.add(namedFunction(t.function, `${param}.tools[${i}].function`));
  });
  return names;
}

interface Choice { toolChoice?: ToolChoice; allowed?: Set<string> }

function toolChoice(v: unknown, note: Untranslatable): Choice {
  if (v === 'none' || v === 'auto' || v === 'required') return { toolChoice: { type: v } };
  if (!isRecord(v)) invalid('tool_choice', `tool_choice must be "none", "auto", "required" or an object, got ${asText(v)}`);
  switch (v.type) {
    case 'function': return { toolChoice: { type: 'tool', name: namedFunction(v.function, 'tool_choice.function') } };
    case 'allowed_tools': {
      const allowed = allowedNames(v.allowed_tools, 'tool_choice.allowed_tools');
      return { toolChoice: { type: (v.allowed_tools as { mode: 'auto' | 'required' }).mode }, allowed };
    }
    case 'custom': note('tool_choice.custom'); return {};
    default: note('tool_choice'); return {};
  }
}

function legacyChoice(v: unknown): ToolChoice {
  if (v === 'none' || v === 'auto') return { type: v };
  return { type: 'tool', name: namedFunction(v, 'function_call') };
}

export function parseTools(body: Record<string, unknown>, note: Untranslatable): ParsedTools {
  const out: ParsedTools = {};
  let tools = toolList(body, note);
  const hasChoice = body.tool_choice !== undefined && body.tool_choice !== null;
  const hasLegacyChoice = body.function_call !== undefined && body.function_call !== null;
  if (hasChoice && hasLegacyChoice) invalid('function_call', 'send tool_choice or the legacy function_call, not both');
  if (hasChoice) {
    const choice = toolChoice(body.tool_choice, note);
    if (choice.toolChoice) out.toolChoice = choice.toolChoice;
    if (choice.allowed && tools) {
      const allowed = choice.allowed;
      for (const name of allowed) {
        if (!tools.some((t) => t.name === name)) invalid('tool_choice.allowed_tools', `tool_choice.allowed_tools names ${JSON.stringify(name)}, which is not in tools`);
      }
      tools = tools.filter((t) => allowed.has(t.name));
    }
  } else if (hasLegacyChoice) out.toolChoice = legacyChoice(body.function_call);
  if (tools) out.tools = tools;
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) {
    if (typeof body.parallel_tool_calls !== 'boolean') invalid('parallel_tool_calls', 'parallel_tool_calls must be a boolean');
    out.parallelToolCalls = body.parallel_tool_calls;
  }
  return out;
}

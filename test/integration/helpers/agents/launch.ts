/**
 * How each coding agent is pointed at Switchyard, headless: its arguments, environment and config files — the
 * settings docs/CLIENTS.md gives, in the form a test can run. `baseURL` is where the agent sends its requests (the
 * daemon, or a tap in front of it); `token` is the daemon's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './run';

export interface Launch {
  args: string[];
  env: Record<string, string>;
}

/** The switches that keep an agent from reaching out on its own (telemetry, updates, error reports). */
const QUIET = { DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1', DISABLE_ERROR_REPORTING: '1', DO_NOT_TRACK: '1' };

/** Routing hints (x-switchyard-* headers) each agent is told to send with every request. */
type Hints = Record<string, string>;

/**
 * Claude Code in print mode (`claude -p`): Anthropic messages through ANTHROPIC_BASE_URL, the token as a bearer
 * token (ANTHROPIC_AUTH_TOKEN), the model names Switchyard routes by, hints in ANTHROPIC_CUSTOM_HEADERS (one
 * `name: value` a line). Tools run only as `allowedTools` permit.
 */
export function claudeCode(box: Sandbox, o: { baseURL: string; token: string; model: string; smallModel: string; prompt: string; allowedTools: string[]; maxTurns: number; hints?: Hints }): Launch {
  return {
    args: ['-p', o.prompt, '--output-format', 'json', '--max-turns', String(o.maxTurns), '--no-session-persistence', '--allowedTools', ...o.allowedTools],
    env: {
      HOME: box.home,
      ANTHROPIC_BASE_URL: o.baseURL,
      ANTHROPIC_AUTH_TOKEN: o.token,
      ANTHROPIC_MODEL: o.model,
      ANTHROPIC_SMALL_FAST_MODEL: o.smallModel,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: o.smallModel,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...(o.hints ? { ANTHROPIC_CUSTOM_HEADERS: Object.entries(o.hints).map(([k, v]) => `${k}: ${v}`).join('\n') } : {}),
      ...QUIET,
    },
  };
}

/**
 * Codex CLI (`codex exec`): a model provider in $CODEX_HOME/config.toml whose base_url is the daemon's /v1, on the
 * Responses wire format, its key read from SWITCHYARD_API_KEY, hints as the provider's http_headers.
 */
export function codex(box: Sandbox, o: { baseURL: string; token: string; model: string; prompt: string; hints?: Hints }): Launch {
  writeFileSync(join(box.home, 'config.toml'), [
    `model = ${JSON.stringify(o.model)}`,
    'model_provider = "switchyard"',
    'approval_policy = "never"',
    'sandbox_mode = "read-only"',
    'check_for_update_on_startup = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[model_providers.switchyard]',
    'name = "Switchyard"',
    `base_url = ${JSON.stringify(`${o.baseURL}/v1`)}`,
    'env_key = "SWITCHYARD_API_KEY"',
    'wire_api = "responses"',
    ...(o.hints ? [`http_headers = { ${Object.entries(o.hints).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`).join(', ')} }`] : []),
    '',
  ].join('\n'));
  return {
    args: ['exec', '--skip-git-repo-check', '--ephemeral', '--color', 'never', '-C', box.work, o.prompt],
    env: { HOME: box.home, CODEX_HOME: box.home, SWITCHYARD_API_KEY: o.token, ...QUIET },
  };
}

/**
 * OpenCode (`opencode run`): a custom provider on its bundled OpenAI-compatible adapter (chat completions), with
 * the model's output limit set — without one OpenCode asks for 32,000 output tokens, more than most models write,
 * and Switchyard skips every candidate that cannot. Hints go in the provider's `options.headers`.
 */
export function opencode(box: Sandbox, o: { baseURL: string; token: string; model: string; outputLimit: number; prompt: string; hints?: Hints }): Launch {
  const config = {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      switchyard: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Switchyard',
        options: { baseURL: `${o.baseURL}/v1`, apiKey: '{env:SWITCHYARD_API_KEY}', ...(o.hints ? { headers: o.hints } : {}) },
        models: { [o.model]: { name: `Switchyard ${o.model}`, tool_call: true, limit: { context: 128_000, output: o.outputLimit } } },
      },
    },
    model: `switchyard/${o.model}`,
    small_model: `switchyard/${o.model}`,
    autoupdate: false,
    share: 'disabled',
  };
  const file = join(box.home, 'opencode.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return {
    // A title given: OpenCode otherwise asks the small model for one, a request racing the agent's own.
    args: ['run', '--format', 'json', '--title', 'switchyard test', o.prompt],
    env: {
      HOME: box.home,
      OPENCODE_CONFIG: file,
      SWITCHYARD_API_KEY: o.token,
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      ...QUIET,
    },
  };
}

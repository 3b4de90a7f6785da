/**
 * Plans the upstream call for each candidate of a decision, before any is made: the upstream's wire format, and
 * either the caller's own body with `model` replaced (same format: passthrough) or a complete translation. A
 * candidate the request cannot be expressed for (a field its format has no way to carry) is taken out of the
 * candidates with the reason, so the decision shows it and nothing is sent with a field silently dropped.
 */
import type { CanonicalRequest, WireFormat } from '../../shared/canonical';
import type { ProviderType } from '../../shared/config';
import type { Candidate, Skipped } from '../../shared/decision';
import { codecFor } from '../formats/index';
import { UnsupportedFieldError } from '../formats/types';
import type { UpstreamCall } from '../providers/types';

/** What the caller sent besides the body that a same-format upstream should see. */
export interface CallerExtras {
  /** Forwarded on a same-format call only (they name features of that API): `anthropic-beta`, `openai-beta`. */
  headers?: Record<string, string>;
  /** Claude Code's `?beta=true` on /v1/messages. */
  query?: Record<string, string>;
}

/** The format a provider is spoken to in, for a caller of `callerFormat`: its own when the provider speaks it. */
export function upstreamFormat(providerType: ProviderType, callerFormat: WireFormat | undefined): WireFormat {
  if (providerType === 'anthropic') return 'anthropic';
  if (callerFormat === 'openai-responses') return providerType === 'openai' ? 'openai-responses' : 'openai-chat';
  // Completions and embeddings exist on OpenAI and OpenAI-compatible servers alike (their codecs refuse any other).
  if (callerFormat === 'openai-completions' || callerFormat === 'openai-embeddings') return callerFormat;
  return 'openai-chat';
}

export interface Plan {
  calls: Map<Candidate, UpstreamCall>;
  /** Candidates the request cannot be sent to, with the field and why (reason `unsupported-field`). */
  refused: Skipped[];
  /** The first refusal, for the 400 when no candidate is left. */
  firstRefusal?: UnsupportedFieldError;
}

export function planCalls(request: CanonicalRequest, candidates: readonly Candidate[], extras: CallerExtras = {}): Plan {
  const plan: Plan = { calls: new Map(), refused: [] };
  for (const c of candidates) {
    const format = upstreamFormat(c.providerType, request.raw?.format);
    const codec = codecFor(format);
    const target = { provider: c.provider, providerType: c.providerType, model: c.model };
    const passthrough = request.raw?.format === format;
    try {
      const body = passthrough
        ? codec.passthroughBody(request as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, target)
        : codec.buildRequest(request, target);
      const call: UpstreamCall = { format, body, stream: request.stream, passthrough };
      if (passthrough && extras.headers && Object.keys(extras.headers).length) call.headers = extras.headers;
      if (passthrough && extras.query && Object.keys(extras.query).length) call.query = extras.query;
      plan.calls.set(c, call);
    } catch (err) {
      if (!(err instanceof UnsupportedFieldError)) throw err;
      plan.firstRefusal ??= err;
      plan.refused.push({ name: c.name, provider: c.provider, model: c.model, reason: 'unsupported-field', detail: err.message });
    }
  }
  return plan;
}

/**
 * What the router sees of an HTTP caller's request: the canonical request read as text (the last real ask as the
 * prompt, the conversation for token counts), the routing hints of the `x-switchyard-*` headers, the request's
 * shape (tools, images, turns, client…) and its conversation key.
 */
import type { IncomingMessage } from 'node:http';
import { partsText, textMessages, type CanonicalRequest, type WireFormat } from '../../shared/canonical';
import { Urgency } from '../../shared/config';
import type { RouteRequest } from '../../shared/decision';
import { conversationKey, requestShape } from '../formats/shape';

export class HintError extends Error {}

/** Routing hints from `x-switchyard-*` headers. */
export function hints(req: IncomingMessage): Partial<RouteRequest> {
  const h = req.headers;
  const one = (name: string) => { const v = h[name]; return typeof v === 'string' && v.trim() ? v.trim() : undefined; };
  const urgency = one('x-switchyard-urgency');
  if (urgency !== undefined && !Urgency.safeParse(urgency).success) throw new HintError(`x-switchyard-urgency must be low, normal or high, got "${urgency}"`);
  const metadata = Object.create(null) as Record<string, string>; // header names are the caller's: `__proto__` is a key like any other
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-switchyard-metadata-') && typeof v === 'string') metadata[k.slice('x-switchyard-metadata-'.length)] = v;
  return { task: one('x-switchyard-task'), source: one('x-switchyard-source') ?? 'http', urgency: urgency as Urgency | undefined, language: one('x-switchyard-language'), ...(Object.keys(metadata).length ? { metadata } : {}) };
}

/**
 * The prompt is the last user message's own text: in an agent loop the last message is often only a tool result,
 * and what the conversation is about is the ask before it, not the tool's output.
 */
function lastAsk(request: CanonicalRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m.role !== 'user') continue;
    const own = m.content.filter((p) => p.type === 'text');
    if (own.length) return partsText(own);
  }
  return '';
}

/** Tool definitions are sent to the model with every request: they count as input. */
function toolsText(request: CanonicalRequest): string {
  return request.tools?.length ? request.tools.map((t) => `${t.name}: ${t.description ?? ''} ${JSON.stringify(t.parameters)}`).join('\n') : '';
}

export function routeRequestFrom(canonical: CanonicalRequest, format: WireFormat, req: IncomingMessage): RouteRequest {
  const system = [canonical.system ? partsText(canonical.system) : '', toolsText(canonical)].filter(Boolean).join('\n\n');
  const out: RouteRequest = {
    prompt: lastAsk(canonical),
    messages: textMessages(canonical.messages),
    maxOutputTokens: canonical.maxTokens,
    ...hints(req),
    shape: requestShape(canonical, format, req.headers),
    conversation: conversationKey(canonical, req.headers),
  };
  if (system) out.system = system;
  return out;
}

/** Caller headers a same-format upstream should see: the API version the body was written for, and feature flags. */
export function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta', 'openai-beta']) {
    const v = req.headers[name];
    if (typeof v === 'string' && v) out[name] = v;
  }
  return out;
}

/**
 * What a request's token count is made of — the texts to count and the fixed overhead per message — shared by the
 * in-process counter (tokens.ts: CLI, rule tests) and the daemon's worker counter (workerCounter.ts), so both give
 * the same number for the same request. Free of tiktoken: the daemon's main thread imports it.
 *
 * Bounded work: a request whose texts (roles, contents, system prompt) hold more than EXACT_CHARS characters in all
 * is not counted whole. Its texts are read as one concatenation, SAMPLE_WINDOWS windows of WINDOW_CHARS characters
 * are taken at evenly spaced offsets (the first at the start, the last at the end; a window crossing from one text
 * into the next is counted as two pieces, since tokens never cross texts), counted exactly, and the sum is scaled
 * by total ÷ counted characters, rounded. Deterministic: the offsets depend on the lengths alone. The count is then
 * marked approximate. So counting any request reads at most EXACT_CHARS characters (≈0.1–0.5 s of tokenizer time
 * at the speeds in docs/BENCHMARKS.md), whatever its size.
 */
import type { RouteRequest } from '../../shared/decision';

/** Per message in a chat request, before role and content (OpenAI cookbook, gpt-3.5-turbo-0613 onwards). */
export const MESSAGE_OVERHEAD_TOKENS = 3;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
export const REPLY_PRIMING_TOKENS = 3;

/** Requests with at most this many characters of text are counted exactly (1 Mi: ≈250 k tokens of prose or code). */
export const EXACT_CHARS = 1 << 20;
/** Larger requests: windows counted… */
export const SAMPLE_WINDOWS = 64;
/** …of this many characters each (EXACT_CHARS in all). */
export const WINDOW_CHARS = EXACT_CHARS / SAMPLE_WINDOWS;

export interface CountPlan {
  /** Tokens that do not depend on the texts: reply priming plus the per-message overhead. */
  overhead: number;
  /** Non-empty texts whose counts are summed: the request's own texts, or a sampled request's window pieces. */
  texts: string[];
  /** Characters in all of the request's texts, and in `texts` (equal unless sampled). */
  totalChars: number;
  countedChars: number;
}

export interface RouteCount {
  tokens: number;
  /** True when the request was too large to count whole and `tokens` is extrapolated (see the header). */
  approximate: boolean;
}

/**
 * The conversation as it will be sent, counted the way OpenAI's cookbook counts chat tokens: each message costs
 * MESSAGE_OVERHEAD_TOKENS + its role + its content, and the reply priming adds REPLY_PRIMING_TOKENS. `messages`,
 * when non-empty, is the conversation and `prompt` its last user message (not counted twice); a prompt that
 * appears in no user message of `messages` is counted as one more user message. Without `messages` the prompt is
 * the one user message. A system prompt is one more message.
 */
export function planRouteCount(req: Pick<RouteRequest, 'prompt' | 'system' | 'messages'>): CountPlan {
  const texts: string[] = [];
  let overhead = REPLY_PRIMING_TOKENS;
  const message = (role: string, content: string) => {
    overhead += MESSAGE_OVERHEAD_TOKENS;
    texts.push(role, content);
  };
  if (req.system) message('system', asText(req.system));
  const prompt = asText(req.prompt);
  const messages = Array.isArray(req.messages) ? req.messages : [];
  if (messages.length > 0) {
    let promptSeen = prompt.length === 0;
    for (const m of messages) {
      const content = asText(m?.content);
      message(asText(m?.role) || 'user', content);
      if (!promptSeen && m?.role === 'user' && content === prompt) promptSeen = true;
    }
    if (!promptSeen) message('user', prompt);
  } else {
    message('user', prompt);
  }
  let total = 0;
  for (const t of texts) total += t.length;
  if (total <= EXACT_CHARS) {
    const nonEmpty = texts.filter((t) => t.length > 0);
    return { overhead, texts: nonEmpty, totalChars: total, countedChars: total };
  }
  const pieces = sampleWindows(texts, total);
  let counted = 0;
  for (const p of pieces) counted += p.length;
  return { overhead, texts: pieces, totalChars: total, countedChars: counted };
}

/** The request's count from the counts of `plan.texts`, in order. */
export function finishCount(plan: CountPlan, counts: readonly number[]): RouteCount {
  let sum = 0;
  for (const c of counts) sum += c;
  if (plan.countedChars >= plan.totalChars) return { tokens: plan.overhead + sum, approximate: false };
  const scaled = plan.countedChars > 0 ? Math.round((sum * plan.totalChars) / plan.countedChars) : 0;
  return { tokens: plan.overhead + scaled, approximate: true };
}

/** The pieces of SAMPLE_WINDOWS evenly spaced windows over the concatenation of `texts` (`total` > EXACT_CHARS). */
function sampleWindows(texts: readonly string[], total: number): string[] {
  const pieces: string[] = [];
  const step = (total - WINDOW_CHARS) / (SAMPLE_WINDOWS - 1); // > WINDOW_CHARS: windows never overlap
  let t = 0; // current text…
  let base = 0; // …and the offset of its first character in the concatenation
  for (let k = 0; k < SAMPLE_WINDOWS; k++) {
    const from = Math.floor(k * step);
    const to = from + WINDOW_CHARS;
    while (t < texts.length && base + texts[t].length <= from) base += texts[t++].length;
    for (let i = t, b = base; i < texts.length && b < to; b += texts[i++].length) {
      const text = texts[i];
      let start = Math.max(0, from - b);
      let end = Math.min(text.length, to - b);
      // Keep surrogate pairs whole: a cut through one would count a replacement character instead.
      if (start > 0 && isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) start++;
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end--;
      if (end > start) pieces.push(text.slice(start, end));
    }
  }
  return pieces;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

function asText(v: unknown): string {
  return typeof v === 'string' ? v : v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

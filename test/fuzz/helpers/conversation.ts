/**
 * An agent conversation in the abstract, before any wire format: system prompt, rounds of a user's ask (text, images,
 * documents), the assistant's thinking, words and tool calls, and the results that answer those calls; the tools,
 * tool choice, structured output, reasoning, sampling and ids around it. helpers/wireBodies.ts writes one out as a
 * chat, messages or Responses body, so the same agent loop reaches every route.
 *
 * Half the conversations are well-formed throughout (the success and stream paths, same-format and across); the
 * other half are hostile at the leaves — garbage image URLs, media types no one reads, thinking without its
 * signature, a result that answers no call, a schema that is not an object, numbers out of range — each leaf
 * drawn hostile now and then, so a case is mostly valid and the refusal it meets names the one field that is not.
 */
import fc from 'fast-check';
import { anyJson, hostileName, oddNumber, text } from './arbitraries';

/** `a`'s value one time in `oneIn`, else undefined (a field left out). */
export const sometimes = <T>(a: fc.Arbitrary<T>, oneIn = 2): fc.Arbitrary<T | undefined> => fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
export const dropUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Where an image or document comes from: a URL, inline base64 (of any media type), a provider's file id, text, or garbage. */
export type Media =
  | { kind: 'url'; url: string }
  | { kind: 'data'; mediaType: string; data: string }
  | { kind: 'file'; id: string }
  | { kind: 'text'; data: string }
  | { kind: 'garbage'; value: unknown };

/** Anthropic's cache marker / OpenAI's cache breakpoint on a block: none, 5 minutes, 1 hour, or a kind no one knows. */
export type Cache = 'ephemeral' | '1h' | 'bogus' | undefined;

export type UserItem =
  | { t: 'text'; text: string; cache: Cache }
  | { t: 'image'; media: Media; detail?: string }
  | { t: 'document'; media: Media; title?: string; cache: Cache };
interface Result { callId: string; content: string | UserItem[]; isError?: boolean }
/** `valid`: the mock's own signature (or encrypted content); `carried`: Anthropic thinking inside a Responses reasoning item. */
export interface Thinking { text: string; signature: 'valid' | 'bogus' | 'none' | 'redacted' | 'carried' | 'carried-damaged' }
interface Call { id: string; name: string; args: string }

interface Round {
  ask: UserItem[];
  thinking?: Thinking;
  said?: string;
  calls: Call[];
  /** How the next user turn answers the calls: every call, one missing, an extra result, or under the wrong id. */
  answers: 'all' | 'missing' | 'extra' | 'wrong-id';
  results: Result['content'][];
  errors: boolean[];
}

interface Tool { name: string; description?: string; schema: unknown; strict?: boolean; cache: Cache }
export type Choice = 'auto' | 'required' | 'none' | { name: string } | { allowed: string[]; mode: string } | { garbage: unknown };
export type Structured = 'text' | 'json_object' | { schema: unknown; name: string; strict?: boolean } | { garbage: unknown };
export type Reasoning = { effort: unknown } | { budget: unknown } | 'disabled' | 'adaptive' | { garbage: unknown };

export interface Conversation {
  system: { text: string; cache: Cache }[];
  rounds: Round[];
  final: UserItem[];
  tools: Tool[];
  choice?: Choice;
  parallel?: boolean;
  structured?: Structured;
  reasoning?: Reasoning;
  maxTokens?: unknown;
  temperature?: unknown;
  topP?: unknown;
  topK?: unknown;
  seed?: unknown;
  stop?: string[];
  n?: unknown;
  logprobs?: boolean;
  topLogprobs?: unknown;
  user?: unknown;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';

const TOOL_NAMES = ['get_weather', 'Read', 'Bash', 'apply_patch', 'mcp__server__tool'] as const;
const GOOD_SCHEMA = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } }, required: ['city'] };

/** The leaves of a conversation; `hostile` ones are now and then garbage. */
function leaves(hostile: boolean) {
  /** The valid value, or (hostile) sometimes the garbage one. */
  const or = <T>(valid: fc.Arbitrary<T>, garbage: fc.Arbitrary<T>): fc.Arbitrary<T> => (hostile ? fc.oneof({ weight: 10, arbitrary: valid }, { weight: 1, arbitrary: garbage }) : valid);

  const garbageMedia = fc.oneof(
    fc.constantFrom('', ' ', 'javascript:alert(1)', 'data:', 'data:;base64,', 'data:image/png,not-base64', 'data:image/png;base64', 'file:///etc/passwd', 'http://[::1', '%zz'),
    hostileName,
    anyJson,
  ).map((value): Media => ({ kind: 'garbage', value }));
  const image: fc.Arbitrary<Media> = or(fc.oneof(
    fc.constantFrom('https://example.com/cat.png', 'https://example.com/a%20b.webp?x=1#f').map((url): Media => ({ kind: 'url', url })),
    fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/gif').map((mediaType): Media => ({ kind: 'data', mediaType, data: PNG })),
  ), fc.oneof(
    garbageMedia,
    fc.constantFrom('image/svg+xml', 'image/heic', 'IMAGE/PNG', 'text/html').map((mediaType): Media => ({ kind: 'data', mediaType, data: PNG })),
    fc.constantFrom('file-abc123', 'file_011CNha8iCJcU1wXNR6q4V8w', '').map((id): Media => ({ kind: 'file', id })),
  ));
  const document: fc.Arbitrary<Media> = or(fc.oneof(
    fc.constant<Media>({ kind: 'data', mediaType: 'application/pdf', data: PDF }),
    text.map((data): Media => ({ kind: 'text', data })),
  ), fc.oneof(
    garbageMedia,
    fc.constantFrom<Media>({ kind: 'url', url: 'https://example.com/report.pdf' }, { kind: 'file', id: 'file-abc123' }, { kind: 'data', mediaType: 'text/plain', data: Buffer.from('Plain notes.').toString('base64') }, { kind: 'data', mediaType: 'application/msword', data: PDF }),
  ));
  // Many blocks carry a marker: a bogus one is rarer than other garbage, or it would be the refusal every case meets.
  const validCache = fc.constantFrom<Cache>(undefined, undefined, undefined, 'ephemeral', '1h');
  const cache: fc.Arbitrary<Cache> = hostile ? fc.oneof({ weight: 40, arbitrary: validCache }, { weight: 1, arbitrary: fc.constant<Cache>('bogus') }) : validCache;
  const userItem: fc.Arbitrary<UserItem> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('text' as const), text, cache }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('image' as const), media: image, detail: sometimes(or(fc.constantFrom('auto', 'low', 'high'), fc.constantFrom('original', 'ultra')), 3) }).map(dropUndefined) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('document' as const), media: document, title: sometimes(or(fc.constant('report.pdf'), hostileName)), cache }).map(dropUndefined) },
  );
  const toolName = or(fc.constantFrom(...TOOL_NAMES), hostileName);
  const schema: fc.Arbitrary<unknown> = or(
    fc.constantFrom(GOOD_SCHEMA, GOOD_SCHEMA, {}, { type: 'object' }, { type: 'object', properties: {}, additionalProperties: false }),
    fc.oneof(fc.constantFrom({ type: 'string' }, { type: 'array', items: {} }, { anyOf: [{ type: 'object' }, { type: 'null' }] }, null), anyJson),
  );
  const tool: fc.Arbitrary<Tool> = fc.record({ name: toolName, description: sometimes(text), schema, strict: sometimes(fc.boolean()), cache }).map(dropUndefined);
  /** Arguments as the model wrote them: JSON objects; (hostile) empty, not JSON, or not an object. */
  const args = or(
    fc.constantFrom('{"city":"Paris"}', '{"city":"Paris","days":2}', '{}', '{"path":"/tmp/a.txt","content":"x\\ny"}'),
    fc.oneof(fc.constantFrom('', ' ', '{"city":', 'null', '[1,2]', '"text"', '{"__proto__":{"x":1}}', '{"a":1e400}'), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? '')),
  );
  const thinking: fc.Arbitrary<Thinking> = fc.record({
    text: fc.oneof(fc.constantFrom('The user wants the weather.', ''), text),
    signature: or(fc.constantFrom<Thinking['signature']>('valid', 'valid', 'redacted', 'carried'), fc.constantFrom<Thinking['signature']>('bogus', 'none', 'carried-damaged')),
  });
  const resultContent: fc.Arbitrary<Result['content']> = fc.oneof(
    { weight: 4, arbitrary: fc.oneof(fc.constantFrom('Sunny, 24 °C', ''), text) },
    { weight: 1, arbitrary: fc.array(userItem, { minLength: 1, maxLength: 3 }) },
  );
  const number = (min: number, max: number, whole = false) => or<unknown>(
    whole ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }),
    fc.oneof(oddNumber, fc.constantFrom(min - 1, max + 1, '0.5', true)),
  );
  return { userItem, tool, toolName, args, thinking, resultContent, number, or, schema, cache };
}

type Leaves = ReturnType<typeof leaves>;

const round = (l: Leaves, callNames: fc.Arbitrary<string>): fc.Arbitrary<Round> => fc.record({
  ask: fc.array(l.userItem, { maxLength: 2 }),
  thinking: sometimes(l.thinking),
  said: sometimes(text),
  calls: fc.uniqueArray(fc.record({ id: l.or(fc.constantFrom('call_1', 'toolu_01', 'fc_1', 'call_2'), hostileName), name: callNames, args: l.args }), { maxLength: 2, selector: (c) => c.id }),
  answers: l.or(fc.constant<Round['answers']>('all'), fc.constantFrom<Round['answers']>('missing', 'extra', 'wrong-id')),
  results: fc.array(l.resultContent, { minLength: 3, maxLength: 3 }),
  errors: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
}).map((r) => dropUndefined(r) as Round);

const choiceOf = (l: Leaves, names: string[]): fc.Arbitrary<Choice> => {
  const named = names.length ? fc.constantFrom(...names) : fc.constant('get_weather');
  return l.or(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<Choice>('auto', 'required', 'none') },
    { weight: 2, arbitrary: named.map((name): Choice => ({ name })) },
    { weight: 1, arbitrary: fc.record({ allowed: fc.subarray(names.length ? names : ['get_weather']), mode: fc.constantFrom('auto', 'required') }) },
  ), fc.oneof(hostileName.map((name): Choice => ({ name })), anyJson.map((garbage): Choice => ({ garbage })), fc.constant<Choice>({ allowed: ['nobody'], mode: 'none' })));
};

const structuredOf = (l: Leaves): fc.Arbitrary<Structured> => l.or(fc.oneof(
  fc.constantFrom<Structured>('text', 'json_object'),
  fc.record({ schema: fc.constant({ type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false }), name: fc.constant('answer'), strict: sometimes(fc.boolean()) }).map(dropUndefined),
), fc.oneof(
  fc.record({ schema: l.schema, name: fc.oneof(fc.constant('answer'), hostileName) }),
  anyJson.map((garbage): Structured => ({ garbage })),
));

const reasoningOf = (l: Leaves): fc.Arbitrary<Reasoning> => l.or(fc.oneof(
  { weight: 3, arbitrary: fc.record({ effort: fc.constantFrom('minimal', 'low', 'medium', 'high', 'none') }) },
  { weight: 2, arbitrary: fc.record({ budget: fc.constantFrom(1024, 2048, 8192) }) },
  { weight: 2, arbitrary: fc.constantFrom<Reasoning>('disabled', 'adaptive') },
), fc.oneof(
  fc.record({ effort: fc.oneof(fc.constantFrom('xhigh', 'max'), hostileName, oddNumber) }),
  fc.record({ budget: fc.oneof(fc.constantFrom(1, 0, 1023, 1.5), oddNumber, hostileName) }),
  anyJson.map((garbage): Reasoning => ({ garbage })),
));

function conversationOf(hostile: boolean): fc.Arbitrary<Conversation> {
  const l = leaves(hostile);
  return fc.uniqueArray(l.tool, { maxLength: 3, selector: (t) => t.name }).chain((tools) => {
    const names = tools.map((t) => t.name);
    const callNames = l.or(names.length ? fc.constantFrom(...names) : fc.constant('get_weather'), l.toolName);
    return fc.record({
      system: fc.array(fc.record({ text, cache: l.cache }), { maxLength: 2 }),
      rounds: fc.array(round(l, callNames), { minLength: 1, maxLength: 3 }),
      final: fc.array(l.userItem, { maxLength: 2 }),
      tools: fc.constant(tools),
      choice: sometimes(choiceOf(l, names)),
      parallel: sometimes(fc.boolean(), 3),
      structured: sometimes(structuredOf(l), 3),
      reasoning: sometimes(reasoningOf(l), 3),
      maxTokens: sometimes(l.or<unknown>(fc.integer({ min: 1, max: 4096 }), fc.oneof(oddNumber, fc.constantFrom(0, 100_000, '100')))),
      temperature: sometimes(l.number(0, 1), 3),
      topP: sometimes(l.number(0.5, 1), 4),
      topK: sometimes(l.number(1, 100, true), 5),
      seed: sometimes(l.number(0, 2 ** 31, true), 5),
      stop: sometimes(fc.array(text, { maxLength: hostile ? 6 : 3 }), 4),
      n: sometimes(l.number(1, 3, true), 5),
      logprobs: sometimes(fc.boolean(), 8),
      topLogprobs: sometimes(l.number(0, 5, true), 10),
      user: sometimes(l.or<unknown>(fc.constantFrom('user-42', 'user_abc_account__session_123'), fc.oneof(hostileName, anyJson)), 4),
      stream: fc.boolean(),
      includeUsage: sometimes(fc.boolean()),
    }, { requiredKeys: ['system', 'rounds', 'final', 'tools', 'stream'] }).map((c) => {
      // A conversation opens with the user asking something.
      const [first, ...rest] = c.rounds;
      const opened = first.ask.length ? first : { ...first, ask: [{ t: 'text' as const, text: 'Weather in Paris?', cache: undefined }] };
      return dropUndefined({ ...c, rounds: [opened, ...rest] }) as Conversation;
    });
  });
}

/** A conversation: well-formed throughout, or with some hostile leaves. */
export const conversation: fc.Arbitrary<Conversation> = fc.oneof(conversationOf(false), conversationOf(true));

/** The results the user turn after `r` sends, as the round's `answers` says (the wrong id, a missing one, an extra one). */
export function resultsOf(r: Round): Result[] {
  const out: Result[] = r.calls.map((c, i) => ({ callId: r.answers === 'wrong-id' ? `${c.id}_wrong` : c.id, content: r.results[i]!, isError: r.errors[i] }));
  if (r.answers === 'missing') out.pop();
  if (r.answers === 'extra') out.push({ callId: 'call_nobody_made', content: r.results[2]!, isError: r.errors[2] });
  return out;
}

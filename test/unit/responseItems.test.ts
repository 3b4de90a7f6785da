/** Earlier Responses output remembered by id, so item_reference resolves whatever serves the next turn. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseItemStore } from '../../daemon/server/responseItems';

const message = (id: string, text: string) => ({ id, type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });

test('references to items of an answer given (plain or streamed) resolve; unknown ones and other input stay as they are', () => {
  const store = new ResponseItemStore(() => 1_000);
  store.rememberResponse({ id: 'resp_1', output: [message('msg_a', 'first')] });
  store.rememberStream(`event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"x"}\n\nevent: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { id: 'resp_2', output: [message('msg_b', 'second')] } })}\n\n`);
  const body = { model: 'm', input: [{ role: 'user', content: 'hi' }, { type: 'item_reference', id: 'msg_a' }, { type: 'item_reference', id: 'msg_b' }, { type: 'item_reference', id: 'msg_unknown' }] };
  const resolved = store.resolve(body) as typeof body;
  assert.deepEqual(resolved.input, [{ role: 'user', content: 'hi' }, message('msg_a', 'first'), message('msg_b', 'second'), { type: 'item_reference', id: 'msg_unknown' }]);
  assert.notEqual(resolved, body, 'a copy: the caller\'s parsed body is not changed');
  const untouched = { model: 'm', input: 'just text' };
  assert.equal(store.resolve(untouched), untouched);
});

test('items are forgotten after an idle hour and when the store is over its bounds', () => {
  let now = 0;
  const store = new ResponseItemStore(() => now);
  store.rememberResponse({ output: [message('msg_old', 'x')] });
  now = 61 * 60_000;
  const ref = { input: [{ type: 'item_reference', id: 'msg_old' }] };
  assert.deepEqual(store.resolve(ref), ref);
  for (let i = 0; i < 5_100; i++) store.rememberResponse({ output: [message(`msg_${i}`, 'y')] });
  assert.deepEqual(store.resolve({ input: [{ type: 'item_reference', id: 'msg_0' }] }), { input: [{ type: 'item_reference', id: 'msg_0' }] }, 'the oldest went first');
  assert.deepEqual((store.resolve({ input: [{ type: 'item_reference', id: 'msg_5099' }] }) as { input: unknown[] }).input[0], message('msg_5099', 'y'));
});

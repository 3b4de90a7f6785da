import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redact } from '../../daemon/providers/keys';
import { PROMPT_MASK, removeEchoes, scrubStoredText } from '../../daemon/ledger/scrub';

describe('redact: key shapes in upstream error text', () => {
  const cases: [string, string][] = [
    ['Incorrect API key provided: sk-proj-Ab3dEfGh1jKlMn0pQrStUv. You can find', 'Incorrect API key provided: ***. You can find'],
    ['invalid x-api-key sk-ant-api03-Zx9_yW8-vU7tS6rQ5', 'invalid x-api-key ***'],
    ['got header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_Xy12', 'got header Authorization: Bearer ***'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==', 'Authorization: Basic ***'],
    ['GET https://generativelanguage.googleapis.com/v1/models?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY failed', 'GET https://generativelanguage.googleapis.com/v1/models?key=*** failed'],
    ['POST /v1/chat?api_key=abc123secret&model=x', 'POST /v1/chat?api_key=***&model=x'],
    ['url /x?foo=1&access_token=ya29.a0Af&bar=2', 'url /x?foo=1&access_token=***&bar=2'],
    ['api-key: 0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'api-key: ***'],
    ['secret 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 leaked', 'secret *** leaked'],
    ['token Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MEFCQ0RFRkdISUpL= leaked', 'token *** leaked'],
  ];
  for (const [input, want] of cases) test(`masks: ${input.slice(0, 48)}…`, () => assert.equal(redact(input), want));

  test('leaves ordinary error text alone: model names, request ids, paths, short words', () => {
    const text = 'model claude-3-5-sonnet-20241022 overloaded (request req_011CQ5x2; id 3f2a9c1e-7b4d-4e21-9a3b-1c2d3e4f5a6b) at /home/user/.switchyard/ledger.db: sk- is not a key; retry in 2s';
    assert.equal(redact(text), text);
  });
});

describe('scrubStoredText: echoed prompt text never reaches the ledger', () => {
  const prompt = 'Summarise the merger memo: Acme buys Globex for $4.2B, closing in Q3, codename BLUEBIRD.';

  test('the whole prompt quoted by the upstream is removed', () => {
    const err = `400 invalid request: messages[0].content "${prompt}" is not allowed`;
    const out = scrubStoredText(err, prompt);
    assert.equal(out, `400 invalid request: messages[0].content "${PROMPT_MASK}" is not allowed`);
  });

  test('any 24+ character run of it is removed; shorter shared words stay', () => {
    const err = 'content filter triggered near "Acme buys Globex for $4.2B, closing" — the memo was blocked';
    const out = scrubStoredText(err, prompt);
    assert.ok(!out.includes('Globex for $4.2B'), out);
    assert.ok(out.includes('the memo was blocked'), 'a run shorter than 24 characters (" memo") is ordinary text');
    assert.match(out, /near "\[prompt\]" — the memo/);
  });

  test('two quoted fragments become two masks; overlapping windows one mask each', () => {
    const err = `first: ${prompt.slice(0, 30)} / second: ${prompt.slice(40, 80)} end`;
    assert.equal(scrubStoredText(err, prompt), `first: ${PROMPT_MASK} / second: ${PROMPT_MASK} end`);
  });

  test('a JSON-escaped echo is removed too', () => {
    const multi = 'line one of the secret plan\nline two: "quoted" part of the secret plan';
    const err = `upstream said: {"error":"bad input","input":${JSON.stringify(multi)}}`;
    const out = scrubStoredText(err, multi);
    assert.ok(!out.includes('secret plan'), out);
  });

  test('keys are masked in the same pass; no prompt means keys only', () => {
    assert.equal(scrubStoredText(`key sk-proj-Ab3dEfGh1jKlMn0pQ rejected for "${prompt}"`, prompt), `key *** rejected for "${PROMPT_MASK}"`);
    assert.equal(scrubStoredText(`rejected "${prompt}"`, null), `rejected "${prompt}"`);
  });

  test('a short prompt is removed only as a whole, and a tiny one not at all', () => {
    assert.equal(removeEchoes('bad prompt: "project falcon" here', 'project falcon'), `bad prompt: "${PROMPT_MASK}" here`);
    assert.equal(removeEchoes('bad prompt: "project" here', 'project falcon'), 'bad prompt: "project" here');
    assert.equal(removeEchoes('this is fine', 'hi'), 'this is fine');
  });

  test('linear: a 4 MB prompt and a repetitive one scrub in well under a second', () => {
    const big = 'x'.repeat(2_000_000) + prompt + 'y'.repeat(2_000_000);
    let t = performance.now();
    assert.equal(removeEchoes(`echo: ${prompt}`, big), `echo: ${PROMPT_MASK}`);
    assert.ok(performance.now() - t < 1000, `took ${performance.now() - t} ms`);
    const same = 'a'.repeat(4_000_000);
    t = performance.now();
    assert.equal(removeEchoes(`x${'a'.repeat(5000)}x`, same), `x${PROMPT_MASK}x`);
    assert.ok(performance.now() - t < 1000, `took ${performance.now() - t} ms`);
  });
});

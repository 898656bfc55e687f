import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmCall, type ResultDescriber, type StartDescriber } from '../src/genai.ts';
import { observeStream, openStreams, type StreamKind } from '../src/stream.ts';

const START: StartDescriber = { name: () => 'test', start: () => ({}), input: () => [] };
const RESULT: ResultDescriber = { output: (v) => v, finish: () => ({ attributes: {}, usage: {} }) };
const KIND: StreamKind<number> = { firstToken: (n) => n >= 2, result: RESULT };

function newCall(): LlmCall {
  const call = new LlmCall(START, {}, {}, undefined);
  call.capture();
  return call;
}

async function* numbers(n: number, failAt?: number): AsyncGenerator<number> {
  for (let i = 1; i <= n; i++) {
    await new Promise((r) => setTimeout(r, 2));
    if (i === failAt) throw new Error('boom');
    yield i;
  }
}

describe('observeStream', () => {
  test('a stream read to its end is recorded with every item, its first token and its end', async () => {
    const call = newCall();
    const stream = { [Symbol.asyncIterator]: () => numbers(4) };
    observeStream(stream, call, KIND);
    const got: number[] = [];
    for await (const n of stream) got.push(n);
    const readMs = performance.timeOrigin + performance.now();
    assert.deepEqual(got, [1, 2, 3, 4]);
    assert.equal(call.value, undefined, 'not read on the call path');
    await openStreams.settle();
    assert.deepEqual(call.value, [1, 2, 3, 4]);
    assert.equal(call.failed, false);
    assert.ok(call.ttftMs !== undefined && call.ttftMs > 0 && call.ttftMs < call.endMs - call.startMs);
    assert.ok(call.endMs <= readMs && call.endMs > call.startMs);
  });

  test('a stream that fails while the app reads it is recorded as failed, and the app gets the error', async () => {
    const call = newCall();
    const stream = { [Symbol.asyncIterator]: () => numbers(5, 3) };
    observeStream(stream, call, KIND);
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const n of stream) got.push(n);
    }, /boom/);
    assert.deepEqual(got, [1, 2]);
    await openStreams.settle();
    assert.equal(call.failed, true);
    assert.equal((call.error as Error).message, 'boom');
  });

  test('a stream still being read is not recorded at a flush', async () => {
    const call = newCall();
    const stream = { [Symbol.asyncIterator]: () => numbers(3) };
    observeStream(stream, call, KIND);
    const it = stream[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { value: 1, done: false });
    await openStreams.settle();
    assert.equal(call.endMs, 0);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      /* read on */
    }
    await openStreams.settle();
    assert.deepEqual(call.value, [1, 2, 3]);
  });
});

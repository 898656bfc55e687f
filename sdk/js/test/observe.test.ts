import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { config, currentTraceId, observe, setContext, withContext } from '../src/index.ts';
import { readTrace, useSpanlens } from './helpers/setup.ts';

describe('observe and context, read back from the real collector', () => {
  const env = useSpanlens();

  test('sync, async, generator and async generator functions nest and keep their results', async () => {
    let traceId = '';
    const double = observe('double', (n: number) => n * 2, { kind: 'tool' });
    const fetchDocs = observe('retrieve', async (q: string) => [`doc about ${q}`], { kind: 'retriever' });
    const words = observe('words', function* (text: string) {
      yield* text.split(' ');
    });
    const slowWords = observe('slow-words', async function* (text: string) {
      for (const w of text.split(' ')) {
        await new Promise((r) => setTimeout(r, 1));
        yield w;
      }
    });
    const pipeline = observe(
      'pipeline',
      async () => {
        traceId = currentTraceId()!;
        const d = double(21);
        const docs = await fetchDocs('cats');
        const ws = [...words('a b c')];
        const slow: string[] = [];
        for await (const w of slowWords('x y')) slow.push(w);
        return { d, docs, ws, slow };
      },
      { kind: 'agent' },
    );
    assert.deepEqual(await pipeline(), { d: 42, docs: ['doc about cats'], ws: ['a', 'b', 'c'], slow: ['x', 'y'] });
    const { spans } = await readTrace(env.sl, traceId);
    const by = Object.fromEntries(spans.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(by).sort(), ['double', 'pipeline', 'retrieve', 'slow-words', 'words']);
    for (const child of ['double', 'retrieve', 'words', 'slow-words']) assert.equal(by[child]!.parentSpanId, by.pipeline!.spanId, child);
    assert.deepEqual(
      ['pipeline', 'double', 'retrieve', 'words'].map((n) => by[n]!.kind),
      ['agent', 'tool', 'retriever', 'chain'],
    );
    assert.equal(by.double!.input, '21');
    assert.equal(by.double!.output, '42');
    assert.equal(by.retrieve!.output, '["doc about cats"]');
    assert.equal(by.words!.output, '["a","b","c"]');
    assert.equal(by['slow-words']!.output, '["x","y"]');
    assert.ok(by['slow-words']!.durationMs >= 1);
  });

  test('errors are recorded and rethrown unchanged, sync and async', async () => {
    let traceId = '';
    class MyError extends Error {}
    const boom = observe('boom', () => {
      throw new MyError('sync boom');
    });
    const asyncBoom = observe('async-boom', async () => {
      throw new MyError('async boom');
    });
    await observe('outer', async () => {
      traceId = currentTraceId()!;
      assert.throws(() => boom(), MyError);
      await assert.rejects(asyncBoom(), MyError);
    })();
    const spans = (await readTrace(env.sl, traceId)).spans;
    for (const [name, msg] of [
      ['boom', 'sync boom'],
      ['async-boom', 'async boom'],
    ]) {
      const s = spans.find((x) => x.name === name)!;
      assert.equal(s.status, 'error');
      assert.equal(s.statusMessage, msg);
      assert.equal(s.attributes['error.type'], 'Error');
    }
  });

  test('input and output are not recorded when told not to', async () => {
    let traceId = '';
    await observe(
      'secret',
      (password: string) => {
        traceId = currentTraceId()!;
        return password.length;
      },
      { captureInput: false, captureOutput: false },
    )('hunter2');
    const s = (await readTrace(env.sl, traceId)).spans[0]!;
    assert.equal(s.input, null);
    assert.equal(s.output, null);
    assert.equal(config().captureContent, true);
  });

  test('withContext and setContext apply to every span beneath them, and only there', async () => {
    const ids: string[] = [];
    const step = observe('step', async () => {
      ids.push(currentTraceId()!);
    });
    const request = async (user: string) => {
      setContext({ userId: user, sessionId: `s-${user}` });
      await new Promise((r) => setTimeout(r, 5));
      await step();
    };
    // Like a server: each request handler starts in its own async context.
    const dispatch = (user: string) =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          void request(user).then(resolve);
        }),
      );
    await Promise.all([dispatch('alice'), dispatch('bob')]);
    await withContext({ userId: 'carol', tags: ['vip'], metadata: { plan: 'pro' } }, () => step());
    await step();
    const users = [];
    for (const id of ids) {
      const s = (await readTrace(env.sl, id)).spans[0]!;
      users.push([s.userId, s.sessionId, s.tags, s.attributes['spanlens.metadata.plan'] ?? null]);
    }
    assert.deepEqual(users, [
      ['alice', 's-alice', [], null],
      ['bob', 's-bob', [], null],
      ['carol', null, ['vip'], 'pro'],
      [null, null, [], null],
    ]);
  });
});

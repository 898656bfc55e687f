import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';
import OpenAI from 'openai';
import { SpanlensContextManager, suppressedContext } from '../src/context-manager.ts';
import { contextStoreInUse } from '../src/sdk.ts';
import { currentTraceId, flush, observe, wrapOpenAI } from '../src/index.ts';
import { readTrace, useSpanlens } from './helpers/setup.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('SpanlensContextManager', () => {
  test('an export-style suppressed context runs its function as it is and leaves the store unused', () => {
    const m = new SpanlensContextManager().enable();
    const self = { k: 2 };
    const r = m.with(
      suppressTracing(ROOT_CONTEXT),
      function (this: typeof self, a: number, b: number) {
        return this.k * a + b;
      },
      self,
      3,
      4,
    );
    assert.equal(r, 10);
    assert.equal(m.inUse, false);
    assert.equal(m.active(), ROOT_CONTEXT);
    m.disable();
  });

  test('a context with a span, or a suppression the wrappers need carried, uses the store and reaches past an await', async () => {
    const m = new SpanlensContextManager().enable();
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }) as Span;
    const seen = await m.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
      await tick();
      return trace.getSpan(m.active());
    });
    assert.equal(seen, span);
    assert.equal(m.inUse, true);
    m.disable();

    const m2 = new SpanlensContextManager().enable();
    const suppressed = await m2.with(suppressedContext(ROOT_CONTEXT), async () => {
      await tick();
      return isTracingSuppressed(m2.active());
    });
    assert.equal(suppressed, true);
    assert.equal(m2.inUse, true);
    m2.disable();
  });

  test('once the store is in use, an export-style context is entered like any other', async () => {
    const m = new SpanlensContextManager().enable();
    m.attach(ROOT_CONTEXT.setValue(Symbol('x'), 1));
    assert.equal(m.inUse, true);
    const suppressed = await m.with(suppressTracing(ROOT_CONTEXT), async () => {
      await tick();
      return isTracingSuppressed(m.active());
    });
    assert.equal(suppressed, true);
    m.disable();
  });
});

describe('the SDK leaves the context store unused until the app needs it', () => {
  const env = useSpanlens();

  test('wrapped calls and their export do not enter a context; observe() does, and nests', async () => {
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${env.llm.url}/v1`, maxRetries: 0 }));
    const messages = [{ role: 'user' as const, content: 'Capital of France?' }];
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(r.choices[0]!.message.content, 'Paris.');
    await flush();
    // The call's span was exported and stored, and no context was entered for it.
    const { status, body } = await env.sl.get('/api/v1/traces?limit=10');
    assert.equal(status, 200);
    assert.deepEqual(
      body.traces.map((t: { name: string }) => t.name),
      ['chat gpt-4o-mini'],
    );
    assert.equal(contextStoreInUse(), false);

    let traceId = '';
    await observe('step', async () => {
      traceId = currentTraceId()!;
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    })();
    assert.equal(contextStoreInUse(), true);
    const { spans } = await readTrace(env.sl, traceId);
    assert.deepEqual(
      spans.map((s) => s.name),
      ['step', 'chat gpt-4o-mini'],
    );
    assert.equal(spans[1]!.parentSpanId, spans[0]!.spanId);
  });
});

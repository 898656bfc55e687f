import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import type { CustomPrice } from '@spanlens/clickhouse';
import { NO_CUSTOM_PRICES, pricingProcessor, type CustomPrices } from '../../src/processors/pricing.ts';
import { toRecord } from '../../src/processors/normalize.ts';
import type { SpanBatch, SpanRecord } from '../../src/processors/processor.ts';
import type { Attributes } from '../../src/model.ts';
import { makeSpan } from '../helpers/span.ts';

const PROJECT = 'proj-1';

/** One span priced; `statusCode` 2 makes it a failed call. */
async function price(attributes: Attributes, prices: CustomPrices = NO_CUSTOM_PRICES, statusCode = 0): Promise<SpanRecord> {
  const batch: SpanBatch = { projectId: PROJECT, records: [toRecord(PROJECT, makeSpan(attributes, { statusCode }))], rejected: 0, errors: [] };
  await pricingProcessor(prices).process(batch);
  assert.equal(batch.records.length, 1);
  return batch.records[0]!;
}

/** Custom prices that answer for one model and record every lookup. */
function customPrices(model: string, p: Omit<CustomPrice, 'provider' | 'model'>) {
  const calls: Array<[string, string, string]> = [];
  const prices: CustomPrices = {
    find(projectId, provider, m) {
      calls.push([projectId, provider, m]);
      return m === model ? { provider, model, ...p } : undefined;
    },
  };
  return { prices, calls };
}

function chat(model: string, extra: Attributes = {}): Attributes {
  return { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, ...extra };
}

const USAGE = { 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 500 };
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('pricing: precedence', () => {
  test('a client-sent llm.cost.total wins over custom and table prices', async () => {
    const { prices } = customPrices('gpt-4o-mini', { input_per_mtok: 100, output_per_mtok: 100, cached_input_per_mtok: null });
    const rec = await price({ ...chat('gpt-4o-mini', USAGE), 'llm.cost.total': 0.0123 }, prices);
    assert.equal(rec.row.cost_usd, 0.0123);
    assert.equal(rec.row.cost_source, 'client');
    assert.equal(rec.row.cost_estimated, false);
  });

  test('a client-sent gen_ai.usage.cost wins over the table', async () => {
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.usage.cost': 0.5 }));
    assert.equal(rec.row.cost_usd, 0.5);
    assert.equal(rec.row.cost_source, 'client');
  });

  test('a project price wins over the table; cached tokens use the cached price', async () => {
    const { prices, calls } = customPrices('gpt-4o-mini', { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 });
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.usage.cache_read.input_tokens': 400 }), prices);
    assert.equal(rec.row.cost_source, 'custom');
    near(rec.row.cost_usd, (600 * 2 + 400 * 0.5 + 500 * 8) / 1e6);
    assert.deepEqual(calls[0], [PROJECT, 'openai', 'gpt-4o-mini']);
    assert.equal(rec.row.cost_estimated, false);
  });

  test('without a cached price, cached tokens cost the input price', async () => {
    const { prices } = customPrices('m-custom', { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: null });
    const rec = await price(chat('m-custom', { ...USAGE, 'gen_ai.usage.cache_read.input_tokens': 400 }), prices);
    near(rec.row.cost_usd, (1000 * 2 + 500 * 8) / 1e6);
  });

  test('a project price for the requested model applies to a dated response model', async () => {
    const { prices } = customPrices('gpt-4o-mini', { input_per_mtok: 1, output_per_mtok: 1, cached_input_per_mtok: null });
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' }), prices);
    assert.equal(rec.row.cost_source, 'custom');
    near(rec.row.cost_usd, 1500 / 1e6);
  });
});

describe('pricing: public table', () => {
  test('gpt-4o-mini: 1000 input and 500 output tokens', async () => {
    const rec = await price(chat('gpt-4o-mini', USAGE));
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, (1000 * 0.15 + 500 * 0.6) / 1e6);
    assert.equal(rec.row.tokens_estimated, false);
    assert.equal(rec.row.cost_estimated, false);
  });

  test('cached input tokens are priced at the cache-read rate', async () => {
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.usage.cache_read.input_tokens': 400 }));
    near(rec.row.cost_usd, (600 * 0.15 + 400 * 0.075 + 500 * 0.6) / 1e6);
  });

  test('an unknown provider still finds the model', async () => {
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.provider.name': 'my-proxy' }));
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, (1000 * 0.15 + 500 * 0.6) / 1e6);
  });

  test('an unknown model costs nothing and has no source', async () => {
    const rec = await price(chat('totally-made-up-model-xyz', USAGE));
    assert.equal(rec.row.cost_usd, 0);
    assert.equal(rec.row.cost_source, 'none');
  });

  test('inconsistent usage (cached > input, negative counts) neither throws nor goes negative', async () => {
    const rec = await price(
      chat('gpt-4o-mini', {
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': -5,
        'gen_ai.usage.cache_read.input_tokens': 300,
      }),
    );
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, (100 * 0.075) / 1e6);
  });

  test('embedding spans are priced on input tokens', async () => {
    const rec = await price({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 1_000_000,
    });
    assert.equal(rec.row.kind, 'embedding');
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, 0.02);
  });
});

describe('pricing: estimated tokens', () => {
  const enc = getEncoding('o200k_base');
  const n = (text: string) => enc.encode(text).length;

  test('messages without usage are counted with js-tiktoken', async () => {
    const input = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is the capital of France?' },
    ];
    const output = [{ role: 'assistant', content: 'Paris is the capital of France.' }];
    const rec = await price(
      chat('gpt-4o-mini', {
        'gen_ai.input.messages': JSON.stringify(input.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }))),
        'gen_ai.output.messages': JSON.stringify(output.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }))),
      }),
    );
    // Prompt: 3 per message + role + content, plus 3 priming the reply. Completion: the generated text.
    const expectedIn = 3 + input.reduce((sum, m) => sum + 3 + n(m.role) + n(m.content), 0);
    const expectedOut = n('Paris is the capital of France.');
    assert.equal(rec.row.input_tokens, expectedIn);
    assert.equal(rec.row.output_tokens, expectedOut);
    assert.equal(rec.row.total_tokens, expectedIn + expectedOut);
    assert.equal(rec.row.tokens_estimated, true);
    assert.equal(rec.row.cost_estimated, true);
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, (expectedIn * 0.15 + expectedOut * 0.6) / 1e6);
  });

  test('tool calls in the completion are counted', async () => {
    const rec = await price(
      chat('gpt-4o-mini', {
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'get_weather', arguments: '{"city":"Paris"}' }] }]),
      }),
    );
    assert.equal(rec.row.output_tokens, n('get_weather') + n('{"city":"Paris"}'));
    assert.equal(rec.row.input_tokens, 0);
  });

  test('plain input/output text is counted without message overhead', async () => {
    const rec = await price({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'input.value': 'hello world', 'output.value': 'hi there, friend' });
    assert.equal(rec.row.input_tokens, n('hello world'));
    assert.equal(rec.row.output_tokens, n('hi there, friend'));
    assert.equal(rec.row.tokens_estimated, true);
  });

  test('reported usage is never replaced by an estimate', async () => {
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]) }));
    assert.equal(rec.row.input_tokens, 1000);
    assert.equal(rec.row.tokens_estimated, false);
  });

  test('no usage and no content leaves the row unestimated', async () => {
    const rec = await price(chat('gpt-4o-mini'));
    assert.equal(rec.row.tokens_estimated, false);
    assert.equal(rec.row.cost_estimated, false);
    assert.equal(rec.row.input_tokens, 0);
  });

  test('a client cost stays unestimated even when tokens are estimated', async () => {
    const rec = await price(chat('gpt-4o-mini', { 'gen_ai.usage.cost': 0.01, 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]) }));
    assert.equal(rec.row.tokens_estimated, true);
    assert.equal(rec.row.cost_estimated, false);
    assert.equal(rec.row.cost_source, 'client');
  });
});

describe('pricing: spans that are not LLM calls', () => {
  test('a tool span with a model and usage is not priced', async () => {
    const { prices, calls } = customPrices('gpt-4o-mini', { input_per_mtok: 1, output_per_mtok: 1, cached_input_per_mtok: null });
    const rec = await price({ ...chat('gpt-4o-mini', USAGE), 'gen_ai.operation.name': 'execute_tool' }, prices);
    assert.equal(rec.row.kind, 'tool');
    assert.equal(rec.row.cost_usd, 0);
    assert.equal(rec.row.cost_source, 'none');
    assert.equal(calls.length, 0);
  });

  test('chain and agent spans are not priced or estimated', async () => {
    const cases: Attributes[] = [
      { 'traceloop.span.kind': 'workflow', 'gen_ai.request.model': 'gpt-4o-mini', 'traceloop.entity.input': 'some input text' },
      { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o-mini', ...USAGE },
    ];
    for (const attrs of cases) {
      const rec = await price(attrs);
      assert.notEqual(rec.row.kind, 'llm');
      assert.equal(rec.row.cost_source, 'none');
      assert.equal(rec.row.cost_usd, 0);
      assert.equal(rec.row.tokens_estimated, false);
    }
  });

  test('a client cost counts on a tool span but not on chains and agents, which aggregate their children', async () => {
    const tool = await price({ 'gen_ai.operation.name': 'execute_tool', 'llm.cost.total': 0.01 });
    assert.equal(tool.row.cost_usd, 0.01);
    assert.equal(tool.row.cost_source, 'client');
    const aggregates: Attributes[] = [
      { 'traceloop.span.kind': 'workflow', 'llm.cost.total': 0.5 },
      { 'openinference.span.kind': 'AGENT', 'llm.cost.total': 0.5 },
    ];
    for (const attrs of aggregates) {
      const rec = await price(attrs);
      assert.equal(rec.row.cost_usd, 0, JSON.stringify(attrs));
      assert.equal(rec.row.cost_source, 'none');
    }
  });

  test('an LLM span without a model is not priced', async () => {
    const rec = await price({ 'openinference.span.kind': 'LLM', 'llm.token_count.prompt': 10 });
    assert.equal(rec.row.cost_source, 'none');
  });
});

describe('pricing: honest costs', () => {
  test('a failed call that reports no usage is not charged: no tokens estimated, no price', async () => {
    const rec = await price(
      chat('gpt-4o-mini', { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'a long question '.repeat(50) }] }]) }),
      NO_CUSTOM_PRICES,
      2,
    );
    assert.deepEqual([rec.row.input_tokens, rec.row.output_tokens, rec.row.tokens_estimated, rec.row.cost_usd, rec.row.cost_source], [0, 0, false, 0, 'none']);
  });

  test('a failed call that does report usage is priced as reported', async () => {
    const rec = await price(chat('gpt-4o-mini', USAGE), NO_CUSTOM_PRICES, 2);
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, (1000 * 0.15 + 500 * 0.6) / 1e6);
  });

  test('the same call that succeeded without usage is estimated (the contrast)', async () => {
    const rec = await price(
      chat('gpt-4o-mini', { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'a long question '.repeat(50) }] }]) }),
      NO_CUSTOM_PRICES,
      0,
    );
    assert.equal(rec.row.tokens_estimated, true);
    assert.ok(rec.row.cost_usd > 0);
  });

  test('a client cost of exactly 0 for a model the table knows does not win: the table prices it', async () => {
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.usage.cost': 0 }));
    assert.equal(rec.row.cost_source, 'table');
    near(rec.row.cost_usd, (1000 * 0.15 + 500 * 0.6) / 1e6);
  });

  test("a client cost of 0 for a model no table knows stays the client's 0", async () => {
    const rec = await price(chat('my-private-model-7', { ...USAGE, 'gen_ai.usage.cost': 0 }));
    assert.deepEqual([rec.row.cost_usd, rec.row.cost_source], [0, 'client']);
  });

  test('a non-zero client cost still wins over the table', async () => {
    const rec = await price(chat('gpt-4o-mini', { ...USAGE, 'gen_ai.usage.cost': 0.5 }));
    assert.deepEqual([rec.row.cost_usd, rec.row.cost_source], [0.5, 'client']);
  });
});

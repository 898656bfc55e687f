// Online evaluation end to end in the one-process deployment: spans sent by the official
// OpenTelemetry exporter, an LLM judge (a fake OpenAI-compatible server) run by the background
// worker on its own timer, a judge outage and a restart of the whole process in the middle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { context, trace } from '@opentelemetry/api';
import { makeExporter, recordSpans } from '../../collector/test/helpers/otel.ts';
import { startFakeJudge } from '../../api/test/helpers/fake-judge.ts';
import { isSampled } from '../../api/src/evaluations/spans.ts';
import { startTestSpanlens } from './helpers/spanlens.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

const JUDGE_KEY = 'sk-e2e-judge-key-0123456789';

/** Traces of an agent span and one chat call each, through the OTLP/HTTP protobuf exporter. */
async function sendCalls(sl: Spanlens, calls: Array<{ model: string; answer: string }>): Promise<string[]> {
  const ids: string[] = [];
  const spans = recordSpans((tracer) => {
    for (const c of calls) {
      const root = tracer.startSpan('answer question');
      const s = tracer.startSpan(
        `chat ${c.model}`,
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': c.model,
            'gen_ai.system': 'openai',
            'gen_ai.usage.input_tokens': 20,
            'gen_ai.usage.output_tokens': 5,
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'What is the capital of France?' }] }]),
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: c.answer }], finish_reason: 'stop' }]),
          },
        },
        trace.setSpan(context.active(), root),
      );
      ids.push(s.spanContext().spanId);
      s.end();
      root.end();
    }
  });
  const exporter = makeExporter('http/protobuf', { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) => (r.code === 0 ? resolve() : reject(r.error))));
  await exporter.shutdown();
  return ids;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('online evaluation in one process', () => {
  let judge: Awaited<ReturnType<typeof startFakeJudge>>;
  let sl: Spanlens;
  let dataDir = '';
  before(async () => {
    judge = await startFakeJudge();
  });
  after(async () => {
    await sl?.app.close().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await judge.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(sl.apiUrl + path, { method: 'POST', headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  /** Evaluation scores of the evaluator, by span id, from the trace pages. */
  const scored = async (traceIds: string[], evaluatorId: string) => {
    const out = new Map<string, number>();
    for (const t of traceIds) {
      for (const f of (await sl.get(`/api/v1/traces/${t}`)).body.feedback as Array<{ spanId: string; evaluatorId: string | null }>) {
        if (f.evaluatorId === evaluatorId) out.set(f.spanId, (out.get(f.spanId) ?? 0) + 1);
      }
    }
    return out;
  };

  test('a judge on a filter and a sample scores each chosen span once, across a judge outage and a restart', async () => {
    sl = await startTestSpanlens();
    dataDir = sl.dataDir;
    const created = await post('/api/v1/evaluators', {
      name: 'helpful',
      type: 'llm_judge',
      filters: { model: ['gpt-4o'] },
      sampleRate: 0.6,
      judge: { baseUrl: judge.url, model: 'judge-1', apiKey: JUDGE_KEY, builtIn: 'helpfulness', maxRetries: 0 },
    });
    assert.equal(created.status, 201);
    const ev = created.body as { id: string };
    const calls = Array.from({ length: 16 }, (_, i) => ({ model: i % 4 === 0 ? 'gpt-4o-mini' : 'gpt-4o', answer: i % 2 ? 'GOOD: Paris.' : 'Lyon.' }));
    const first = await sendCalls(sl, calls.slice(0, 8));
    const expectedOf = (ids: string[], cs: typeof calls) => ids.filter((id, i) => cs[i]!.model === 'gpt-4o' && isSampled(ev.id, id, 0.6));
    const want1 = expectedOf(first, calls.slice(0, 8));
    const traces = async () => ((await sl.get('/api/v1/traces?limit=100')).body.traces as Array<{ traceId: string }>).map((t) => t.traceId);
    await until('the first batch scored', async () => ((await scored(await traces(), ev.id)).size === want1.length ? true : undefined));

    // The judge goes down; more spans arrive; the process restarts while it is down.
    judge.behaviour = () => ({ status: 503 });
    const second = await sendCalls(sl, calls.slice(8));
    const want2 = expectedOf(second, calls.slice(8));
    const down = await until('a failed call', async () => {
      const [e] = (await sl.get('/api/v1/evaluators')).body.evaluators as Array<{ health: { consecutiveFailures: number; lastError: string } }>;
      return e && e.health.consecutiveFailures > 0 ? e : undefined;
    });
    assert.match(down.health.lastError, /503/);
    await sl.app.close();
    judge.behaviour = null;
    sl = await startTestSpanlens({ SPANLENS_DATA_DIR: dataDir });
    const all = await traces();
    const got = await until('every chosen span scored', async () => {
      const s = await scored(all, ev.id);
      return s.size === want1.length + want2.length ? s : undefined;
    });
    assert.deepEqual([...got.keys()].sort(), [...want1, ...want2].sort());
    assert.ok(
      [...got.values()].every((n) => n === 1),
      'one result per span',
    );
    const answered = judge.calls.length;
    // Let the worker run a few more passes: nothing is judged again.
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(judge.calls.length, answered);
    assert.equal(judge.calls.at(-1)!.authorization, `Bearer ${JUDGE_KEY}`, 'the key, sealed at rest, still opens after the restart');
    const [e] = (await sl.get('/api/v1/evaluators')).body.evaluators as Array<{ health: { healthy: boolean }; stats: { results: number; judgeTokens: number } }>;
    assert.equal(e!.health.healthy, true);
    assert.equal(e!.stats.results, want1.length + want2.length);
    // The project's own cost is the apps' calls only: 16 calls, none of the judge's.
    const summary = (await sl.get(`/api/v1/metrics/summary?from=${new Date(Date.now() - 3600_000).toISOString()}`)).body;
    assert.equal(summary.current.requests, 16);
  });
});

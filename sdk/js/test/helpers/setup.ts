import { startTestSpanlens } from '../../../../server/test/helpers/spanlens.ts';
import { after, before } from 'node:test';
import { flush, init, shutdown } from '../../src/index.ts';
import { startFakeLlm } from './fake-llm.ts';

export type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;
export type FakeLlm = Awaited<ReturnType<typeof startFakeLlm>>;

/** The real collector in-process, a fake LLM API, and the SDK pointed at the collector. */
export async function setup(initOptions: Parameters<typeof init>[0] = {}) {
  const sl = await startTestSpanlens();
  const llm = await startFakeLlm();
  init({ endpoint: sl.httpUrl, apiKey: sl.key, serviceName: 'sdk-test', environment: 'test', release: '9.9.9', ...initOptions });
  return { sl, llm };
}

/**
 * setup() before the suite and everything stopped after it; the suite reads `sl` and
 * `llm` from the returned object once its tests run.
 */
export function useSpanlens(initOptions: Parameters<typeof init>[0] = {}): { readonly sl: Spanlens; readonly llm: FakeLlm } {
  const env = {} as { sl: Spanlens; llm: FakeLlm };
  before(async () => {
    Object.assign(env, await setup(initOptions));
  });
  after(async () => {
    await shutdown();
    await env.llm.close();
    await env.sl.close();
  });
  return env;
}

export interface ApiSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  model: string | null;
  provider: string | null;
  operation: string | null;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  tokensEstimated: boolean;
  costUsd: number;
  costEstimated: boolean;
  costSource: string;
  ttftMs: number | null;
  finishReason: string | null;
  status: string;
  statusMessage: string | null;
  input: string | null;
  output: string | null;
  userId: string | null;
  sessionId: string | null;
  service: string | null;
  environment: string | null;
  release: string | null;
  tags: string[];
  attributes: Record<string, string>;
}

/** Flushes the SDK and reads one trace back through the API. */
export async function readTrace(sl: Spanlens, traceId: string): Promise<{ spans: ApiSpan[]; feedback: Array<Record<string, unknown>> }> {
  await flush();
  const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
  if (status !== 200) throw new Error(`trace ${traceId}: ${status} ${JSON.stringify(body)}`);
  return body;
}

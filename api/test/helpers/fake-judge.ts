import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JudgeCall {
  model: string;
  prompt: string;
  responseFormat: unknown;
  authorization: string | undefined;
}

/** What the judge does with one call; the default grades by the words in the prompt. */
export type JudgeBehaviour = (call: JudgeCall, n: number) => { status?: number; content?: string; delayMs?: number; headers?: Record<string, string> };

/**
 * An OpenAI-compatible chat endpoint with fixed answers: score 1 (or true) when the prompt
 * holds "GOOD", 0 (false) otherwise, and a non-JSON answer when it holds "MALFORMED".
 * `behaviour` overrides it per call (429s, 5xx, a slow answer).
 */
export async function startFakeJudge() {
  const calls: JudgeCall[] = [];
  let behaviour: JudgeBehaviour | null = null;
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req)) as {
      model: string;
      messages: Array<{ content: string }>;
      response_format?: { json_schema?: { schema?: { properties?: { score?: { type?: string; enum?: string[] } } } } };
    };
    const call: JudgeCall = { model: body.model, prompt: body.messages.map((m) => m.content).join('\n'), responseFormat: body.response_format, authorization: req.headers.authorization };
    calls.push(call);
    const b = behaviour?.(call, calls.length) ?? {};
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (res.destroyed) return;
    const status = b.status ?? 200;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json', ...b.headers });
      res.end(JSON.stringify({ error: { message: `fake judge status ${status}`, type: 'server_error' } }));
      return;
    }
    const scoreType = body.response_format?.json_schema?.schema?.properties?.score;
    const good = call.prompt.includes('GOOD');
    const score = scoreType?.type === 'boolean' ? good : scoreType?.enum ? scoreType.enum[good ? 0 : 1] : good ? 1 : 0;
    const content = b.content ?? (call.prompt.includes('MALFORMED') ? 'I think it is fine.' : JSON.stringify({ reasoning: good ? 'The answer is good.' : 'The answer is poor.', score }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${calls.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls,
    set behaviour(b: JudgeBehaviour | null) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function read(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += c;
  return s;
}

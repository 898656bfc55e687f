// Fake OpenAI- and Anthropic-compatible servers on loopback, enough for the official clients.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

type Json = Record<string, any>;

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let chunkDelayMs = 2;

function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>, firstDelayMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  return (async () => {
    if (firstDelayMs > 0) await sleep(firstDelayMs);
    for (const e of events) {
      res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
      if (chunkDelayMs > 0) await sleep(chunkDelayMs);
    }
    res.end();
  })();
}

export const OPENAI_TEXT = ['Par', 'is', '.'];
export const ANTHROPIC_TEXT = ['Bon', 'jour', '!'];

function openaiChat(body: Json, res: ServerResponse, firstDelayMs: number): Promise<void> | void {
  const model = `${body.model}-2024-07-18`;
  const wantsTool = Array.isArray(body.tools) && body.tools.length > 0;
  if (body.model === 'error-model') {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'The model `error-model` does not exist', type: 'invalid_request_error', code: 'model_not_found' } }));
    return;
  }
  if (body.model === 'rate-limited-model') {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }));
    return;
  }
  const usage = { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49, prompt_tokens_details: { cached_tokens: 10 }, completion_tokens_details: { reasoning_tokens: 2 } };
  if (!body.stream) {
    const message = wantsTool
      ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }
      : { role: 'assistant', content: OPENAI_TEXT.join('') };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop' }], usage }));
    return;
  }
  const base = { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1, model };
  const events: Array<{ data: unknown }> = [{ data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] } }];
  if (wantsTool) {
    events.push({
      data: { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
    });
    for (const part of ['{"city":', '"Paris"}']) events.push({ data: { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null }] } });
    events.push({ data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] } });
  } else {
    for (const t of OPENAI_TEXT) events.push({ data: { ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null }] } });
    events.push({ data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } });
  }
  if (body.stream_options?.include_usage) events.push({ data: { ...base, choices: [], usage } });
  events.push({ data: '[DONE]' });
  return sse(res, events, firstDelayMs);
}

function anthropicMessages(body: Json, res: ServerResponse, firstDelayMs: number): Promise<void> | void {
  const model = `${body.model}-20241022`;
  if (body.model === 'error-model') {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'model: error-model is not a model' } }));
    return;
  }
  const wantsTool = Array.isArray(body.tools) && body.tools.length > 0;
  const usage = { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 20, cache_creation_input_tokens: 0 };
  if (!body.stream) {
    const content = wantsTool
      ? [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ]
      : [{ type: 'text', text: ANTHROPIC_TEXT.join('') }];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model, content, stop_reason: wantsTool ? 'tool_use' : 'end_turn', stop_sequence: null, usage }));
    return;
  }
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: 'message_start',
      data: { type: 'message_start', message: { id: 'msg_2', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } },
    },
  ];
  if (wantsTool) {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} } } });
    for (const part of ['{"city": ', '"Paris"}'])
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: part } } });
  } else {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } });
    for (const t of ANTHROPIC_TEXT) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } } });
  }
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } });
  events.push({ event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: wantsTool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } } });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return sse(res, events, firstDelayMs);
}

/** One server speaking both APIs: /v1/chat/completions, /v1/embeddings, /v1/messages. */
export async function startFakeLlm(options: { firstDelayMs?: number; chunkDelayMs?: number } = {}): Promise<{ url: string; requests: Json[]; close(): Promise<void> }> {
  const firstDelayMs = options.firstDelayMs ?? 30;
  chunkDelayMs = options.chunkDelayMs ?? 2;
  const requests: Json[] = [];
  const server = createServer(async (req, res) => {
    const body = await readJson(req);
    requests.push({ path: req.url, body });
    if (req.url === '/v1/chat/completions') return openaiChat(body, res, firstDelayMs);
    if (req.url === '/v1/messages') return anthropicMessages(body, res, firstDelayMs);
    if (req.url === '/v1/embeddings') {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
          usage: { prompt_tokens: 8, total_tokens: 8 },
        }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  // Longer than the clients' own keep-alive, so a client never reuses a socket the server just closed.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

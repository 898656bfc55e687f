// Child process for bench/sdk-overhead.ts: the fake LLM API and an OTLP sink that answers 200.
import { createServer } from 'node:http';
import { startFakeLlm } from '../sdk/js/test/helpers/fake-llm.ts';

const llm = await startFakeLlm({ firstDelayMs: 0, chunkDelayMs: 0 });
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
console.log(JSON.stringify({ llm: llm.url, sink: `http://127.0.0.1:${(sink.address() as { port: number }).port}` }));
process.on('SIGTERM', () => process.exit(0));

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';
import { startFakeLlm } from './helpers/fake-llm.ts';

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;

test('examples/support-bot runs against Spanlens and its trace reads back', async () => {
  const sl = await startTestSpanlens();
  const llm = await startFakeLlm();
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/support-bot/app.ts', 'When do orders ship?'], {
      cwd: ROOT,
      env: { ...process.env, SPANLENS_ENDPOINT: sl.httpUrl, SPANLENS_API_KEY: sl.key, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${llm.url}/v1` },
    });
    assert.match(stdout, /^Paris\./);
    const traceId = /trace ([0-9a-f]{32})/.exec(stdout)![1]!;
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200);
    assert.deepEqual(body.spans.map((s: { name: string; kind: string }) => [s.name, s.kind]), [
      ['answer', 'agent'], ['retrieve-faq', 'retriever'], ['chat gpt-4o-mini', 'llm'],
    ]);
    assert.equal(body.spans[0].userId, 'demo-user');
    assert.equal(body.spans[2].service, 'support-bot');
    assert.match(body.spans[2].input, /Orders ship within 2 business days/);
    assert.equal(body.feedback[0].name, 'helpful');
  } finally {
    await llm.close();
    await sl.close();
  }
});

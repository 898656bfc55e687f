import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestSpanlens } from './helpers/spanlens.ts';
import { assertStoredMasked, enableRedaction, sendSecrets } from './helpers/redaction.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

describe('one process: redaction at ingest, set through the API', () => {
  let sl: Spanlens;
  before(async () => {
    sl = await startTestSpanlens();
  });
  after(async () => {
    await sl.close();
  });

  test('before any setting, a provider key is masked but an email is kept', async () => {
    const traceId = await sendSecrets(sl);
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200);
    const span = body.spans[0];
    assert.equal(span.attributes['app.openai_key'], '[REDACTED:api_key]');
    assert.match(span.input, /dana\.reyes@example\.org/, 'email is off by default');
  });

  test('settings apply to the next request at once; the API shows masked text and the count', async () => {
    await enableRedaction(sl);
    const traceId = await sendSecrets(sl);
    await assertStoredMasked(sl, traceId);
    const { body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(body.spans[0].redactions, 5);
  });
});

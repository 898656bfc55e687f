import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { identity, spanlens } from '../../../src/processors/conventions/common.ts';
import { mapConventions } from '../../../src/processors/normalize.ts';
import type { LlmFields } from '../../../src/processors/conventions/fields.ts';
import type { Attributes } from '../../../src/model.ts';
import { makeSpan } from '../../helpers/span.ts';

describe('spanlens.* attributes', () => {
  test('map onto their fields', () => {
    const f: LlmFields = {};
    spanlens.map(
      makeSpan({
        'spanlens.span.kind': 'retriever',
        'spanlens.user.id': 'u-1',
        'spanlens.session.id': 's-1',
        'spanlens.tags': ['a', 'b'],
        'spanlens.prompt.name': 'faq',
        'spanlens.prompt.version': '7',
        'spanlens.ttft_ms': 180,
      }),
      f,
    );
    assert.deepEqual(f, {
      kind: 'retriever',
      userId: 'u-1',
      sessionId: 's-1',
      tags: ['a', 'b'],
      promptName: 'faq',
      promptVersion: '7',
      ttftMs: 180,
    });
  });

  test('win over every other convention', () => {
    const f = mapConventions(
      makeSpan({
        'spanlens.span.kind': 'agent',
        'spanlens.user.id': 'sl-user',
        'spanlens.session.id': 'sl-session',
        'spanlens.tags': '["sl"]',
        'spanlens.prompt.name': 'sl-prompt',
        'spanlens.prompt.version': 'sl-v',
        'spanlens.ttft_ms': '90',
        'gen_ai.operation.name': 'chat',
        'gen_ai.conversation.id': 'genai-session',
        'gen_ai.response.time_to_first_chunk': 1,
        'openinference.span.kind': 'LLM',
        'user.id': 'oi-user',
        'session.id': 'oi-session',
        'tag.tags': ['oi'],
        'llm.prompt_template.version': 'oi-v',
        'ai.telemetry.metadata.userId': 'vercel-user',
        'traceloop.association.properties.user_id': 'tl-user',
        'traceloop.prompt.key': 'tl-prompt',
      }),
    );
    assert.equal(f.kind, 'agent');
    assert.equal(f.userId, 'sl-user');
    assert.equal(f.sessionId, 'sl-session');
    assert.deepEqual(f.tags, ['sl']);
    assert.equal(f.promptName, 'sl-prompt');
    assert.equal(f.promptVersion, 'sl-v');
    assert.equal(f.ttftMs, 90);
  });

  test('an unknown spanlens.span.kind does not block the kind other conventions give', () => {
    const f = mapConventions(makeSpan({ 'spanlens.span.kind': 'banana', 'gen_ai.operation.name': 'execute_tool' }));
    assert.equal(f.kind, 'tool');
  });

  test('spanlens.span.kind is case-insensitive', () => {
    assert.equal(mapConventions(makeSpan({ 'spanlens.span.kind': 'LLM' })).kind, 'llm');
  });

  test('a non-numeric ttft is ignored', () => {
    const f: LlmFields = {};
    spanlens.map(makeSpan({ 'spanlens.ttft_ms': 'soon' }), f);
    assert.equal(f.ttftMs, undefined);
  });
});

describe('identity attributes', () => {
  function map(attributes: Attributes, resource: Attributes = {}): LlmFields {
    const f: LlmFields = {};
    identity.map(makeSpan(attributes, { resource }), f);
    return f;
  }

  test('user.id, session.id and tags on the span', () => {
    const f = map({ 'user.id': 'u', 'session.id': 's', tags: ['x'] });
    assert.equal(f.userId, 'u');
    assert.equal(f.sessionId, 's');
    assert.deepEqual(f.tags, ['x']);
  });

  test('enduser.id when user.id is absent; user.id wins when both are set', () => {
    assert.equal(map({ 'enduser.id': 'eu' }).userId, 'eu');
    assert.equal(map({ 'enduser.id': 'eu', 'user.id': 'u' }).userId, 'u');
  });

  test('from resource attributes when the span has none', () => {
    const f = map({}, { 'user.id': 'res-user', 'session.id': 'res-session' });
    assert.equal(f.userId, 'res-user');
    assert.equal(f.sessionId, 'res-session');
    assert.equal(map({}, { 'enduser.id': 'res-enduser' }).userId, 'res-enduser');
  });

  test('span attributes win over resource attributes', () => {
    const f = map({ 'user.id': 'span-user', 'session.id': 'span-session' }, { 'user.id': 'res-user', 'session.id': 'res-session' });
    assert.equal(f.userId, 'span-user');
    assert.equal(f.sessionId, 'span-session');
  });

  test('numeric ids become text', () => {
    assert.equal(map({ 'user.id': 1234 }).userId, '1234');
  });

  test('identity has the lowest precedence of all conventions', () => {
    const f = mapConventions(
      makeSpan({ 'traceloop.association.properties.user_id': 'tl-user', 'gen_ai.conversation.id': 'conv' }, { resource: { 'user.id': 'res-user', 'session.id': 'res-session' } }),
    );
    assert.equal(f.userId, 'tl-user');
    assert.equal(f.sessionId, 'conv');
  });
});

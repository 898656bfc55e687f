// docs/evaluations.md prints every built-in judge template; this keeps it equal to the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILT_IN_TEMPLATES } from '../../src/evaluations/templates.ts';
import { renderTemplate } from '../../src/evaluations/judge.ts';

const docs = readFileSync(new URL('../../../docs/evaluations.md', import.meta.url), 'utf8');

test('docs/evaluations.md shows each built-in template as it is sent', () => {
  for (const [name, t] of Object.entries(BUILT_IN_TEMPLATES)) {
    assert.ok(docs.includes(`### \`${name}\``), `docs/evaluations.md has no section for ${name}`);
    assert.ok(docs.includes('```text\n' + t.template + '\n```'), `docs/evaluations.md shows an outdated ${name} template`);
  }
});

test('every built-in template fills the variables it names, and only those', () => {
  const values = { input: 'IN', output: 'OUT', metadata: 'META', reference: 'REF', context: 'CTX' };
  for (const [name, t] of Object.entries(BUILT_IN_TEMPLATES)) {
    const rendered = renderTemplate(t.template, values);
    assert.doesNotMatch(rendered, /\{\{/, `${name} leaves a variable unfilled`);
    assert.match(rendered, /OUT/, `${name} never shows the judge the answer`);
  }
});

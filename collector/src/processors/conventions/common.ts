import { SPAN_KINDS, type SpanKind } from '@spanlens/clickhouse';
import { fill, str, strList, type Convention } from './fields.ts';

const KINDS = new Set<string>(SPAN_KINDS);

/**
 * Spanlens's own attributes (spanlens.*, set by our SDKs, highest precedence) and the
 * generic identity attributes any app may set (user.id, session.id, enduser.id).
 */
export const spanlens: Convention = {
  name: 'spanlens',
  map(span, f) {
    const a = span.attributes;
    // Only a kind Spanlens knows: an unknown value would block the other conventions' kind
    // and then be stored as 'span' anyway.
    const kind = str(a, 'spanlens.span.kind')?.toLowerCase();
    if (kind && KINDS.has(kind)) fill(f, 'kind', kind as SpanKind);
    fill(f, 'userId', str(a, 'spanlens.user.id'));
    fill(f, 'sessionId', str(a, 'spanlens.session.id'));
    fill(f, 'tags', strList(a, 'spanlens.tags'));
    fill(f, 'promptName', str(a, 'spanlens.prompt.name'));
    fill(f, 'promptVersion', str(a, 'spanlens.prompt.version'));
    fill(f, 'ttftMs', Number(str(a, 'spanlens.ttft_ms') ?? NaN));
  },
};

export const identity: Convention = {
  name: 'identity',
  map(span, f) {
    const a = span.attributes;
    fill(f, 'userId', str(a, 'user.id', 'enduser.id') ?? str(span.resource, 'user.id', 'enduser.id'));
    fill(f, 'sessionId', str(a, 'session.id') ?? str(span.resource, 'session.id'));
    fill(f, 'tags', strList(a, 'tags'));
  },
};

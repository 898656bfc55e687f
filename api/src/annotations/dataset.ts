import { csvField, fineTuningLine } from '../routes/export.ts';
import { messageText, parseMessages } from '../messages.ts';
import type { EvaluatedSpan } from '../evaluations/spans.ts';
import type { Queue } from './definition.ts';
import type { Item } from './store.ts';

export interface Reviewed {
  item: Item;
  span: EvaluatedSpan | null;
  scores: Record<string, number | boolean | string>;
}

/**
 * A reviewed queue as a dataset. `openai`: one chat fine-tuning line per item, the answer
 * being the reviewer's correction where they gave one. `eval`: input, expected output (the
 * correction, else the answer as reviewed), the answer and the scores.
 */
export function exportLines(q: Queue, rows: Reviewed[], format: 'openai' | 'eval', as: 'jsonl' | 'csv'): string {
  const usable = rows.filter((r) => r.span);
  if (format === 'openai') {
    return usable.map(({ item, span }) => fineTuningLine({ input: span!.input, output: item.correctedOutput ?? span!.output }) + '\n').join('');
  }
  if (as === 'jsonl') {
    return usable
      .map(
        ({ item, span, scores }) =>
          JSON.stringify({
            traceId: item.traceId,
            spanId: item.spanId ?? span!.spanId,
            input: parseMessages(span!.input, 'user'),
            expectedOutput: item.correctedOutput ?? messageText(span!.output),
            output: messageText(span!.output),
            corrected: item.correctedOutput !== null,
            scores,
            reviewer: item.reviewer,
          }) + '\n',
      )
      .join('');
  }
  const names = q.scores.map((s) => s.name);
  const head = ['trace_id', 'span_id', 'input', 'expected_output', 'output', ...names, 'reviewer'];
  const lines = usable.map(
    ({ item, span, scores }) =>
      [
        item.traceId,
        item.spanId ?? span!.spanId,
        messageText(span!.input),
        item.correctedOutput ?? messageText(span!.output),
        messageText(span!.output),
        ...names.map((n) => (scores[n] === undefined ? '' : String(scores[n]))),
        item.reviewer ?? '',
      ]
        .map(csvField)
        .join(',') + '\r\n',
  );
  return head.map(csvField).join(',') + '\r\n' + lines.join('');
}

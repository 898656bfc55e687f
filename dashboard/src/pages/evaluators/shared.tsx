// Pieces shared by the evaluator list and detail: health badge, type and target in words.
import type { EvaluatorHealth, ListedEvaluator } from '../../evaluations-api.ts';
import { CHECK_LABELS } from './RuleFields.tsx';

export function HealthBadge({ health }: { health: EvaluatorHealth }) {
  if (health.healthy)
    return (
      <span className="badge st-ok" data-health="healthy">
        Healthy
      </span>
    );
  return (
    <span className="badge st-error" data-health="unhealthy" title={`${health.consecutiveFailures} failed calls in a row: ${health.lastError ?? ''}`}>
      Unhealthy
    </span>
  );
}

export function typeText(e: ListedEvaluator): string {
  if (e.type === 'llm_judge') return `LLM judge · ${e.judge?.model ?? '?'}`;
  return `Rule · ${e.rule ? CHECK_LABELS[e.rule.check] : '?'}`;
}

export const targetText = (scope: ListedEvaluator['scope']) => (scope === 'root' ? 'Traces' : 'LLM calls');

/** 1 → "100%", 0.05 → "5%", 0.125 → "12.5%" (exact: it is what was typed). */
export const fmtSample = (rate: number) => `${Math.round(rate * 10_000) / 100}%`;

/** The judge's template in one line: a built-in by name, or "custom". */
export function templateText(e: ListedEvaluator): string {
  const j = e.judge;
  if (!j) return '';
  const out = j.output ? j.output.type : 'built-in output';
  return j.template ? `custom template (${out})` : `built-in template ${j.builtIn ?? ''}`;
}

export function ruleText(e: ListedEvaluator): string {
  const r = e.rule;
  if (!r) return '';
  const what = r.text !== undefined ? `“${r.text}”` : r.pattern !== undefined ? `/${r.pattern}/` : r.schema ? 'a JSON Schema' : '';
  const bounds = r.check === 'length' ? `${r.min ?? 0}–${r.max ?? '∞'} characters` : r.check === 'latency' ? `${r.max} ms` : r.check === 'cost' ? `$${r.max}` : '';
  const field = r.check === 'latency' || r.check === 'cost' ? '' : ` of the ${r.field}`;
  return `${CHECK_LABELS[r.check]} ${what}${bounds}${field}${r.caseSensitive && (r.text || r.pattern) ? ' (case-sensitive)' : ''}`.replace(/\s+/g, ' ').trim();
}

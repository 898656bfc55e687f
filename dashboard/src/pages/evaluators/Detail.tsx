// One evaluator (?evaluator=<id>): what it scores and how, its health in full, its results,
// and its backfills.
import { Link } from 'react-router';
import { queryString } from '../../api.ts';
import type { ListedEvaluator } from '../../evaluations-api.ts';
import { fmtCount, fmtDateTime, fmtUsd } from '../../format.ts';
import { useHref } from '../../state.tsx';
import { fmtScore } from '../quality/shared.tsx';
import { Backfills } from './Backfills.tsx';
import { fmtSample, HealthBadge, ruleText, targetText, templateText, typeText } from './shared.tsx';

export function EvaluatorDetail({ evaluator: e, onEdit, onClose }: { evaluator: ListedEvaluator; onEdit: () => void; onClose: () => void }) {
  const href = useHref();
  const filters = Object.entries(e.filters ?? {})
    .filter(([, v]) => v?.length)
    .map(([k, v]) => `${k} = ${v!.join(' | ')}`);
  const h = e.health;
  return (
    <section className="card" data-testid="evaluator-detail" data-evaluator-id={e.id}>
      <div className="ev-detail-head">
        <div className="ev-detail-title">
          <HealthBadge health={h} />
          <strong className="trunc" title={e.name}>
            {e.name}
          </strong>
          <span className="muted">v{e.version}</span>
          {!e.enabled && <span className="badge st-unset">disabled</span>}
        </div>
        <div className="ev-detail-actions">
          <Link className="btn btn-small ev-btn-link" to={href(`/traces${queryString({ feedbackName: e.name, feedbackSource: 'evaluation' })}`)}>
            Scored traces
          </Link>
          <button type="button" className="btn btn-small" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close evaluator">
            Close
          </button>
        </div>
      </div>
      <div className="ev-detail-sub muted small">
        {typeText(e)} · {e.type === 'llm_judge' ? `${templateText(e)} · ${e.judge?.baseUrl ?? ''}${e.judge?.hasApiKey ? ' · key stored' : ' · no key'}` : ruleText(e)} · {targetText(e.scope)} · sample{' '}
        {fmtSample(e.sampleRate)}
        {filters.length ? ` · ${filters.join(', ')}` : ' · every span'} · {e.concurrency} at once, {fmtCount(e.ratePerMinute)}/min
      </div>
      {!h.healthy && (
        <div className="state state-error ev-health" data-testid="health-error">
          <strong>
            Unhealthy after {h.consecutiveFailures} failed call{h.consecutiveFailures === 1 ? '' : 's'} in a row:
          </strong>
          <span className="error-message">{h.lastError ?? 'no message'}</span>
          <span className="small">It is tried again with one span at a time; spans wait, none is lost.</span>
        </div>
      )}
      <dl className="ev-facts">
        <div>
          <dt>Results</dt>
          <dd data-testid="detail-results">{fmtCount(e.stats.results)}</dd>
        </div>
        <div>
          <dt>Average score</dt>
          <dd>{fmtScore(e.stats.avgScore)}</dd>
        </div>
        <div>
          <dt>Last result</dt>
          <dd>{e.stats.lastResultAt ? fmtDateTime(e.stats.lastResultAt) : '—'}</dd>
        </div>
        <div>
          <dt>Spans passed over</dt>
          <dd title="Malformed judge answers, requests the judge refused">{fmtCount(h.failedSpans)}</dd>
        </div>
        <div>
          <dt>Scanned up to</dt>
          <dd>{h.scannedUpTo ? fmtDateTime(h.scannedUpTo) : 'not yet'}</dd>
        </div>
        {e.type === 'llm_judge' && (
          <div>
            <dt>Judge tokens · cost</dt>
            <dd title="The judge's own calls: not part of the project's cost">
              {fmtCount(e.stats.judgeTokens)} · {fmtUsd(e.stats.judgeCostUsd)}
            </dd>
          </div>
        )}
      </dl>
      {h.healthy && h.lastError && (
        <div className="pad-x muted small" data-testid="span-error">
          Last span passed over: {h.lastError}
        </div>
      )}
      <Backfills key={e.id} evaluator={e} />
    </section>
  );
}

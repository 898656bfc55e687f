// Evaluators: LLM-as-a-judge and rule checks that score spans in the background, with their
// health and results; the selected one (?evaluator=<id>) with its backfills; create and edit.
import { useState } from 'react';
import { evaluatorPaths, evaluatorsApi, type Evaluator, type ListedEvaluator, type Template } from '../evaluations-api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { fmtCount, fmtUsd } from '../format.ts';
import { useApi, useSelectedParam } from '../hooks.ts';
import { RowActions } from '../components/RowActions.tsx';
import { fmtScore } from './quality/shared.tsx';
import { EvaluatorDetail } from './evaluators/Detail.tsx';
import { draftOf, newDraft, type Draft } from './evaluators/draft.ts';
import { EvaluatorForm } from './evaluators/EvaluatorForm.tsx';
import { fmtSample, HealthBadge, targetText, typeText } from './evaluators/shared.tsx';
import '../evaluations.css';

function Row({ e, selected, onSelect, onEdit, onDeleted }: { e: ListedEvaluator; selected: boolean; onSelect: () => void; onEdit: () => void; onDeleted: () => void }) {
  const h = e.health;
  return (
    <tr data-evaluator-id={e.id} data-name={e.name} className={`${selected ? 'ev-selected' : ''}${e.enabled ? '' : ' revoked'}`} onClick={onSelect}>
      <td className="trunc" title={`${e.name} (version ${e.version})`}>
        <div className="cell-main">
          <button type="button" className="ev-name" onClick={onSelect}>
            {e.name}
          </button>
        </div>
        <div className="cell-sub">
          v{e.version} · {e.enabled ? 'enabled' : 'disabled'}
        </div>
      </td>
      <td className="trunc" title={typeText(e)}>
        {typeText(e)}
      </td>
      <td>{targetText(e.scope)}</td>
      <td className="num">{fmtSample(e.sampleRate)}</td>
      <td className="trunc" data-testid="evaluator-health" title={h.lastError ?? undefined}>
        <div className="cell-main">
          <HealthBadge health={h} />
          {h.failedSpans > 0 && (
            <span className="muted small">
              {' '}
              · {fmtCount(h.failedSpans)} failed span{h.failedSpans === 1 ? '' : 's'}
            </span>
          )}
        </div>
        {h.lastError && <div className={`cell-sub${h.healthy ? '' : ' text-bad'}`}>{h.lastError}</div>}
      </td>
      <td className="num" data-testid="evaluator-results">
        {fmtCount(e.stats.results)}
      </td>
      <td className="num">{fmtScore(e.stats.avgScore)}</td>
      <td className="num" title="What the judge's own calls cost: not part of the project's cost">
        {e.type === 'rule' ? <span className="muted">—</span> : fmtUsd(e.stats.judgeCostUsd)}
      </td>
      <RowActions
        onEdit={onEdit}
        onDelete={async () => {
          await evaluatorsApi.remove(e.id);
          onDeleted();
        }}
      />
    </tr>
  );
}

function NoEvaluators({ onNew }: { onNew: (type: Draft['type']) => void }) {
  return (
    <Empty title="No evaluators yet">
      <p>
        An evaluator scores spans as they arrive, in the background: an <strong>LLM judge</strong> asks a model (any OpenAI-compatible API) to grade each answer with a template, a{' '}
        <strong>rule</strong> checks it (contains, regex, valid JSON, JSON Schema, length, latency, cost). Its scores are feedback with source <code>evaluation</code>, named after the evaluator, shown
        on each trace and on the Quality page.
      </p>
      <div className="ev-empty-actions">
        <button type="button" className="btn btn-primary" onClick={() => onNew('llm_judge')}>
          New LLM judge
        </button>
        <button type="button" className="btn" onClick={() => onNew('rule')}>
          New rule
        </button>
      </div>
    </Empty>
  );
}

interface Editing {
  evaluator: Evaluator | null;
  draft: Draft;
  key: number;
}

export function Evaluators() {
  const [selectedId, select] = useSelectedParam('evaluator');
  const list = useApi<{ evaluators: ListedEvaluator[] }>(evaluatorPaths.list);
  const templates = useApi<{ templates: Template[] }>(evaluatorPaths.templates);
  const [editing, setEditing] = useState<Editing | null>(null);
  // Just saved: not "missing" while the list reloads with it.
  const [savedId, setSavedId] = useState<string | null>(null);
  const evaluators = list.data?.evaluators;
  const tpl = templates.data?.templates;
  const selected = evaluators?.find((e) => e.id === selectedId);

  const edit = (evaluator: Evaluator | null, draft: Draft) => {
    setEditing((x) => ({ evaluator, draft, key: (x?.key ?? 0) + 1 }));
    window.requestAnimationFrame(() => document.querySelector('[data-testid="evaluator-form"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' }));
  };
  const startNew = (type: Draft['type']) => {
    if (tpl) edit(null, newDraft(type, tpl));
  };

  return (
    <>
      <PageHeader title="Evaluators" subtitle="LLM judges and rules that score your spans in the background; their scores are feedback with source “evaluation”" range={false}>
        <button type="button" className="btn btn-primary" disabled={!tpl} onClick={() => startNew('llm_judge')}>
          New evaluator
        </button>
      </PageHeader>
      <section className={`card table-card${list.loading && evaluators ? ' is-loading' : ''}`} data-testid="evaluators">
        <div className="card-title">Evaluators</div>
        {list.error && !evaluators ? (
          <div className="pad-x">
            <ErrorBox error={list.error} onRetry={list.reload} />
          </div>
        ) : !evaluators ? (
          <Loading label="Loading evaluators…" />
        ) : evaluators.length === 0 ? (
          <div className="pad-x">
            <NoEvaluators onNew={startNew} />
          </div>
        ) : (
          <>
            <table className="table table-click table-2line" data-testid="evaluators-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th style={{ width: '15%' }}>Type</th>
                  <th style={{ width: '84px' }}>Target</th>
                  <th className="num" style={{ width: '72px' }}>
                    Sample
                  </th>
                  <th style={{ width: '19%' }}>Health</th>
                  <th className="num" style={{ width: '80px' }}>
                    Results
                  </th>
                  <th className="num" style={{ width: '92px' }}>
                    Avg score
                  </th>
                  <th className="num" style={{ width: '100px' }} title="The judge's own calls: not part of the project's cost">
                    Judge cost
                  </th>
                  <th style={{ width: '132px' }} />
                </tr>
              </thead>
              <tbody>
                {evaluators.map((e) => (
                  <Row
                    key={e.id}
                    e={e}
                    selected={e.id === selectedId}
                    onSelect={() => select(e.id)}
                    onEdit={() => {
                      if (tpl) edit(e, draftOf(e, tpl));
                    }}
                    onDeleted={() => {
                      setSavedId(null);
                      if (e.id === selectedId) select(null);
                      if (editing?.evaluator?.id === e.id) setEditing(null);
                      list.reload();
                    }}
                  />
                ))}
              </tbody>
            </table>
            <p className="muted small ev-foot" data-testid="judge-cost-note">
              Judge cost is what the judges' own calls cost (their tokens at the public price table); it is <strong>not part of the project's cost</strong> on the Overview and Cost pages. Average
              score is over every result; boolean results count as 1 and 0.
            </p>
          </>
        )}
      </section>

      {templates.error && <ErrorBox error={templates.error} onRetry={templates.reload} />}
      {editing && tpl && (
        <EvaluatorForm
          key={editing.key}
          evaluator={editing.evaluator}
          initial={editing.draft}
          templates={tpl}
          onCancel={() => setEditing(null)}
          onSaved={(e) => {
            setEditing(null);
            setSavedId(e.id);
            list.reload();
            select(e.id);
          }}
        />
      )}

      {selectedId && evaluators && !selected && selectedId !== savedId && (
        <div className="state state-empty" data-testid="evaluator-missing">
          No evaluator <code>{selectedId}</code> in this project (deleted, or in another project).{' '}
          <button type="button" className="btn btn-small" onClick={() => select(null)}>
            Close
          </button>
        </div>
      )}
      {selected && (
        <EvaluatorDetail
          evaluator={selected}
          onEdit={() => {
            if (tpl) edit(selected, draftOf(selected, tpl));
          }}
          onClose={() => select(null)}
        />
      )}
    </>
  );
}

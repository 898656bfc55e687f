import { createHash } from 'node:crypto';
import { formatMillis, toIso8601, type FeedbackRow, type Storage } from '@spanlens/clickhouse';
import type { SecretBox } from '../secrets.ts';
import { evaluatorInput, type Evaluator, type EvaluatorInput } from './definition.ts';
import { nextVersion } from '../versions.ts';

/** Persistence of evaluators (every version), their scan state and backfills. */

interface VersionRow {
  project_id: string;
  id: string;
  version: number;
  definition: string;
  api_key_enc: string;
  deleted: boolean;
  created_at: string;
}

function toEvaluator(r: VersionRow): Evaluator {
  const input = evaluatorInput.parse(JSON.parse(r.definition));
  const { judge, ...rest } = input;
  return {
    ...rest,
    ...(judge ? { judge: { ...withoutKey(judge), hasApiKey: r.api_key_enc !== '' } } : {}),
    id: r.id,
    projectId: r.project_id,
    version: Number(r.version),
    createdAt: toIso8601(r.created_at),
  };
}

function withoutKey<T extends { apiKey?: string }>(j: T): Omit<T, 'apiKey'> {
  const { apiKey: _key, ...rest } = j;
  return rest;
}

/** The newest version of each evaluator not deleted; all projects when none is named. */
export async function listEvaluators(storage: Storage, projectId?: string): Promise<Evaluator[]> {
  const rs = await storage.client.query({
    query: `SELECT project_id, id, version, definition, api_key_enc, deleted, created_at FROM evaluators FINAL
            ${projectId ? 'WHERE project_id = {p:String}' : ''}
            ORDER BY project_id, id, version DESC LIMIT 1 BY project_id, id`,
    query_params: projectId ? { p: projectId } : {},
    format: 'JSONEachRow',
  });
  return (await rs.json<VersionRow>()).filter((r) => !r.deleted).map(toEvaluator);
}

export async function getEvaluator(storage: Storage, projectId: string, id: string, version?: number): Promise<Evaluator | null> {
  const rows = await versions(storage, projectId, id);
  const row = version === undefined ? rows[0] : rows.find((r) => Number(r.version) === version);
  return row && !row.deleted ? toEvaluator(row) : null;
}

export async function evaluatorHistory(storage: Storage, projectId: string, id: string): Promise<Evaluator[]> {
  return (await versions(storage, projectId, id)).filter((r) => !r.deleted).map(toEvaluator);
}

async function versions(storage: Storage, projectId: string, id: string): Promise<VersionRow[]> {
  const rs = await storage.client.query({
    query: `SELECT project_id, id, version, definition, api_key_enc, deleted, created_at FROM evaluators FINAL
            WHERE project_id = {p:String} AND id = {id:String} ORDER BY version DESC`,
    query_params: { p: projectId, id },
    format: 'JSONEachRow',
  });
  return rs.json<VersionRow>();
}

/** The key in clear, for the worker only. */
export async function judgeKey(storage: Storage, box: SecretBox, ev: Pick<Evaluator, 'projectId' | 'id' | 'version'>): Promise<string> {
  const row = (await versions(storage, ev.projectId, ev.id)).find((r) => Number(r.version) === ev.version);
  return row?.api_key_enc ? box.open(row.api_key_enc) : '';
}

/**
 * Writes the next version. An edit without a new key keeps the sealed key of the version
 * before it. Returns the stored version.
 */
export async function putEvaluator(storage: Storage, box: SecretBox, projectId: string, id: string, input: EvaluatorInput): Promise<Evaluator> {
  const prev = (await versions(storage, projectId, id))[0];
  const version = prev ? Number(prev.version) + 1 : 1;
  const sealed = input.judge?.apiKey ? box.seal(input.judge.apiKey) : input.judge && prev ? prev.api_key_enc : '';
  const definition = JSON.stringify(input.judge ? { ...input, judge: withoutKey(input.judge) } : input);
  await storage.insertRows('evaluators', [{ project_id: projectId, id, version, definition, api_key_enc: sealed, deleted: false, created_at: formatMillis(Date.now()) }]);
  return (await getEvaluator(storage, projectId, id, version))!;
}

export async function deleteEvaluator(storage: Storage, projectId: string, id: string): Promise<boolean> {
  const prev = (await versions(storage, projectId, id))[0];
  if (!prev || prev.deleted) return false;
  await storage.insertRows('evaluators', [{ ...prev, version: Number(prev.version) + 1, deleted: true, api_key_enc: '', created_at: formatMillis(Date.now()) }]);
  return true;
}

export interface EvaluatorState {
  version: number;
  /** The live scan's position: (ingestion time, span id) of the last span looked at. */
  watermark: string;
  watermarkSpan: string;
  healthy: boolean;
  consecutiveFailures: number;
  lastError: string;
  failedTotal: number;
}

export async function loadStates(storage: Storage, projectId?: string): Promise<Map<string, EvaluatorState>> {
  const rs = await storage.client.query({
    query: `SELECT project_id, evaluator_id, version, toString(watermark) AS watermark, watermark_span, healthy, consecutive_failures, last_error, failed_total
            FROM evaluator_state FINAL ${projectId ? 'WHERE project_id = {p:String}' : ''}`,
    query_params: projectId ? { p: projectId } : {},
    format: 'JSONEachRow',
  });
  type Row = {
    project_id: string;
    evaluator_id: string;
    version: number;
    watermark: string;
    watermark_span: string;
    healthy: boolean;
    consecutive_failures: number;
    last_error: string;
    failed_total: string;
  };
  return new Map(
    (await rs.json<Row>()).map((r) => [
      `${r.project_id}/${r.evaluator_id}`,
      {
        version: Number(r.version),
        watermark: r.watermark,
        watermarkSpan: r.watermark_span,
        healthy: r.healthy,
        consecutiveFailures: Number(r.consecutive_failures),
        lastError: r.last_error,
        failedTotal: Number(r.failed_total),
      },
    ]),
  );
}

export async function saveState(storage: Storage, projectId: string, evaluatorId: string, s: EvaluatorState): Promise<void> {
  await storage.insertRows('evaluator_state', [
    {
      project_id: projectId,
      evaluator_id: evaluatorId,
      version: s.version,
      watermark: s.watermark,
      watermark_span: s.watermarkSpan,
      healthy: s.healthy,
      consecutive_failures: s.consecutiveFailures,
      last_error: s.lastError.slice(0, 500),
      failed_total: s.failedTotal,
      updated: nextVersion(),
    },
  ]);
}

export interface Backfill {
  id: string;
  evaluatorId: string;
  version: number;
  fromMs: number;
  toMs: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** Spans in range that match the evaluator's filters, before sampling. */
  total: number;
  done: number;
  cursor: { at: string; spanId: string } | null;
  error: string;
  createdAt: string;
}

export async function listBackfills(storage: Storage, projectId: string | undefined, opts: { evaluatorId?: string; running?: boolean } = {}): Promise<Array<Backfill & { projectId: string }>> {
  const where = [...(projectId ? ['project_id = {p:String}'] : []), ...(opts.evaluatorId ? ['evaluator_id = {e:String}'] : []), ...(opts.running ? ["status = 'running'"] : [])];
  const rs = await storage.client.query({
    query: `SELECT project_id, id, evaluator_id, version, from_time, to_time, status, total, done, toString(cursor_time) AS cursor_time, cursor_span, error, created_at
            FROM evaluation_backfills FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT 100`,
    query_params: { p: projectId ?? '', e: opts.evaluatorId ?? '' },
    format: 'JSONEachRow',
  });
  type Row = {
    project_id: string;
    id: string;
    evaluator_id: string;
    version: number;
    from_time: string;
    to_time: string;
    status: Backfill['status'];
    total: string;
    done: string;
    cursor_time: string;
    cursor_span: string;
    error: string;
    created_at: string;
  };
  return (await rs.json<Row>()).map((r) => ({
    projectId: r.project_id,
    id: r.id,
    evaluatorId: r.evaluator_id,
    version: Number(r.version),
    fromMs: Date.parse(toIso8601(r.from_time)),
    toMs: Date.parse(toIso8601(r.to_time)),
    status: r.status,
    total: Number(r.total),
    done: Number(r.done),
    cursor: r.cursor_span ? { at: r.cursor_time, spanId: r.cursor_span } : null,
    error: r.error,
    createdAt: toIso8601(r.created_at),
  }));
}

export async function saveBackfill(storage: Storage, projectId: string, b: Backfill): Promise<void> {
  await storage.insertRows('evaluation_backfills', [
    {
      project_id: projectId,
      id: b.id,
      evaluator_id: b.evaluatorId,
      version: b.version,
      from_time: `${formatMillis(b.fromMs)}000000`,
      to_time: `${formatMillis(b.toMs)}000000`,
      status: b.status,
      total: b.total,
      done: b.done,
      cursor_time: b.cursor?.at ?? '1970-01-01 00:00:00',
      cursor_span: b.cursor?.spanId ?? '',
      error: b.error.slice(0, 500),
      created_at: formatMillis(Date.parse(b.createdAt)),
      updated: nextVersion(),
    },
  ]);
}

/** The score id of an evaluation: one per (evaluator, version, span). */
export const resultId = (evaluatorId: string, version: number, spanId: string) => `eval:${evaluatorId}:${version}:${spanId}`;

/** Which of these results are stored already (a restart, another process, a backfill over live spans). */
export async function storedResults(storage: Storage, projectId: string, keys: ReadonlyArray<{ traceId: string; id: string }>): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rs = await storage.client.query({
    query: 'SELECT DISTINCT id FROM feedback WHERE project_id = {p:String} AND trace_id IN {t:Array(String)} AND id IN {ids:Array(String)}',
    query_params: { p: projectId, t: [...new Set(keys.map((k) => k.traceId))], ids: keys.map((k) => k.id) },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ id: string }>()).map((r) => r.id));
}

/** A score row with what made it (migration 0013). */
export type EvaluationRow = FeedbackRow & { evaluator_id: string; evaluator_version: number; judge_tokens: number; judge_cost_usd: number };

export async function insertResults(storage: Storage, rows: EvaluationRow[]): Promise<void> {
  if (rows.length === 0) return;
  // A retried insert of the same results is one block, dropped by its token.
  const token = createHash('sha1')
    .update(rows.map((r) => r.id).join('\n'))
    .digest('hex');
  await storage.insertRows('feedback', rows, { dedupToken: `eval-${rows[0]!.project_id}-${token}` });
}

export interface EvaluatorStats {
  results: number;
  avgScore: number | null;
  judgeTokens: number;
  judgeCostUsd: number;
  lastResultAt: string | null;
}

/** Results and the judge's spend per evaluator, all versions, over the retention. */
export async function evaluatorStats(storage: Storage, projectId: string): Promise<Map<string, EvaluatorStats>> {
  const rs = await storage.client.query({
    query: `SELECT evaluator_id, count() AS n, avgIf(value, data_type != 'categorical') AS score, sum(judge_tokens) AS tokens, sum(judge_cost_usd) AS cost, max(created_at) AS last
            FROM feedback FINAL WHERE project_id = {p:String} AND source = 'evaluation' AND evaluator_id != '' GROUP BY evaluator_id`,
    query_params: { p: projectId },
    format: 'JSONEachRow',
  });
  type Row = { evaluator_id: string; n: string; score: number | null; tokens: string; cost: number; last: string };
  return new Map(
    (await rs.json<Row>()).map((r) => [
      r.evaluator_id,
      {
        results: Number(r.n),
        avgScore: r.score === null || Number.isNaN(Number(r.score)) ? null : Number(r.score),
        judgeTokens: Number(r.tokens),
        judgeCostUsd: Number(r.cost),
        lastResultAt: toIso8601(r.last),
      },
    ]),
  );
}

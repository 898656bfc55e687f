import { formatMillis, toIso8601, type Storage } from '@spanlens/clickhouse';
import { nextVersion } from '../versions.ts';
import { queueInput, type Progress, type Queue, type QueueInput } from './definition.ts';

/** Persistence of annotation queues: definitions, items (newest write wins) and locks (earliest live one wins). */

export async function listQueues(storage: Storage, projectId: string): Promise<Queue[]> {
  const rs = await storage.client.query({
    query: 'SELECT id, definition FROM annotation_queues FINAL WHERE project_id = {p:String} AND NOT deleted ORDER BY id',
    query_params: { p: projectId },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string; definition: string }>()).map((r) => ({ ...queueInput.parse(JSON.parse(r.definition)), id: r.id, projectId }));
}

export async function getQueue(storage: Storage, projectId: string, id: string): Promise<Queue | null> {
  return (await listQueues(storage, projectId)).find((q) => q.id === id) ?? null;
}

export async function putQueue(storage: Storage, projectId: string, id: string, q: QueueInput): Promise<void> {
  await storage.insertRows('annotation_queues', [{ project_id: projectId, id, definition: JSON.stringify(q), deleted: false, version: nextVersion() }]);
}

export async function deleteQueue(storage: Storage, projectId: string, id: string): Promise<void> {
  await storage.insertRows('annotation_queues', [{ project_id: projectId, id, definition: '{}', deleted: true, version: nextVersion() }]);
}

export type ItemStatus = 'pending' | 'done' | 'skipped';

export interface Item {
  itemId: string;
  traceId: string;
  spanId: string | null;
  status: ItemStatus;
  reviewer: string | null;
  correctedOutput: string | null;
  addedAt: string;
  reviewedAt: string | null;
}

/** A trace's item id is its trace id; a span's is `trace:span`. */
export const itemIdOf = (traceId: string, spanId: string | null) => (spanId ? `${traceId}:${spanId}` : traceId);

/** Adds items not queued yet; returns how many were new. */
export async function addItems(storage: Storage, projectId: string, queueId: string, keys: ReadonlyArray<{ traceId: string; spanId: string | null }>): Promise<number> {
  const ids = [...new Map(keys.map((k) => [itemIdOf(k.traceId, k.spanId), k])).entries()];
  if (ids.length === 0) return 0;
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rs = await storage.client.query({
      query: 'SELECT DISTINCT item_id FROM annotation_items WHERE project_id = {p:String} AND queue_id = {q:String} AND item_id IN {ids:Array(String)}',
      query_params: { p: projectId, q: queueId, ids: ids.slice(i, i + 1000).map(([id]) => id) },
      format: 'JSONEachRow',
    });
    for (const r of await rs.json<{ item_id: string }>()) known.add(r.item_id);
  }
  const now = formatMillis(Date.now());
  const version = nextVersion();
  const fresh = ids
    .filter(([id]) => !known.has(id))
    .map(([id, k]) => ({
      project_id: projectId,
      queue_id: queueId,
      item_id: id,
      trace_id: k.traceId,
      span_id: k.spanId ?? '',
      status: 'pending',
      reviewer: '',
      corrected_output: '',
      added_at: now,
      reviewed_at: null,
      version,
    }));
  await storage.insertRows('annotation_items', fresh);
  return fresh.length;
}

type ItemRow = { item_id: string; trace_id: string; span_id: string; status: ItemStatus; reviewer: string; corrected_output: string; added_at: string; reviewed_at: string | null };
const toItem = (r: ItemRow): Item => ({
  itemId: r.item_id,
  traceId: r.trace_id,
  spanId: r.span_id || null,
  status: r.status,
  reviewer: r.reviewer || null,
  correctedOutput: r.corrected_output || null,
  addedAt: toIso8601(r.added_at),
  reviewedAt: r.reviewed_at ? toIso8601(r.reviewed_at) : null,
});

export async function listItems(storage: Storage, projectId: string, queueId: string, opts: { status?: ItemStatus; itemId?: string; limit: number; offset?: number }): Promise<Item[]> {
  const rs = await storage.client.query({
    query: `SELECT item_id, trace_id, span_id, status, reviewer, corrected_output, added_at, reviewed_at FROM annotation_items FINAL
            WHERE project_id = {p:String} AND queue_id = {q:String} ${opts.status ? 'AND status = {s:String}' : ''} ${opts.itemId ? 'AND item_id = {i:String}' : ''}
            ORDER BY added_at, item_id LIMIT {n:UInt32} OFFSET {o:UInt32}`,
    query_params: { p: projectId, q: queueId, s: opts.status ?? '', i: opts.itemId ?? '', n: opts.limit, o: opts.offset ?? 0 },
    format: 'JSONEachRow',
  });
  return (await rs.json<ItemRow>()).map(toItem);
}

export async function saveItem(storage: Storage, projectId: string, queueId: string, item: Item): Promise<void> {
  await storage.insertRows('annotation_items', [
    {
      project_id: projectId,
      queue_id: queueId,
      item_id: item.itemId,
      trace_id: item.traceId,
      span_id: item.spanId ?? '',
      status: item.status,
      reviewer: item.reviewer ?? '',
      corrected_output: item.correctedOutput ?? '',
      added_at: formatMillis(Date.parse(item.addedAt)),
      reviewed_at: item.reviewedAt ? formatMillis(Date.parse(item.reviewedAt)) : null,
      version: nextVersion(),
    },
  ]);
}

/** Item counts per status, and how many pending ones someone holds now. */
export async function queueProgress(storage: Storage, projectId: string, queueIds: string[]): Promise<Map<string, Progress>> {
  const rs = await storage.client.query({
    query: `SELECT i.queue_id AS queue_id, count() AS total, countIf(i.status = 'pending') AS pending, countIf(i.status = 'done') AS done,
                   countIf(i.status = 'skipped') AS skipped, countIf(i.status = 'pending' AND l.item_id != '') AS locked
            FROM (SELECT queue_id, item_id, status FROM annotation_items FINAL WHERE project_id = {p:String} AND has({q:Array(String)}, queue_id)) AS i
            LEFT JOIN (SELECT DISTINCT queue_id, item_id FROM annotation_locks WHERE project_id = {p:String} AND expires_at > now64(3)) AS l
              ON l.queue_id = i.queue_id AND l.item_id = i.item_id
            GROUP BY queue_id`,
    query_params: { p: projectId, q: queueIds },
    format: 'JSONEachRow',
  });
  type Row = { queue_id: string; total: string; pending: string; done: string; skipped: string; locked: string };
  const out = new Map<string, Progress>(queueIds.map((id) => [id, { total: 0, pending: 0, done: 0, skipped: 0, locked: 0 }]));
  for (const r of await rs.json<Row>()) {
    out.set(r.queue_id, { total: Number(r.total), pending: Number(r.pending), done: Number(r.done), skipped: Number(r.skipped), locked: Number(r.locked) });
  }
  return out;
}

/** Live locks of these items: who holds each (the earliest lock still running). */
export async function lockHolders(storage: Storage, projectId: string, queueId: string, itemIds?: string[]): Promise<Map<string, { reviewer: string; expiresAt: string }>> {
  const rs = await storage.client.query({
    query: `SELECT item_id, argMin(reviewer, (locked_at, reviewer)) AS holder, argMin(expires_at, (locked_at, reviewer)) AS expires
            FROM annotation_locks WHERE project_id = {p:String} AND queue_id = {q:String} AND expires_at > now64(3)
            ${itemIds ? 'AND item_id IN {ids:Array(String)}' : ''} GROUP BY item_id`,
    query_params: { p: projectId, q: queueId, ids: itemIds ?? [] },
    format: 'JSONEachRow',
  });
  return new Map((await rs.json<{ item_id: string; holder: string; expires: string }>()).map((r) => [r.item_id, { reviewer: r.holder, expiresAt: toIso8601(r.expires) }]));
}

export async function lock(storage: Storage, projectId: string, queueId: string, itemId: string, reviewer: string, seconds: number): Promise<void> {
  await storage.insertRows('annotation_locks', [{ project_id: projectId, queue_id: queueId, item_id: itemId, reviewer, expires_at: formatMillis(Date.now() + seconds * 1000) }]);
}

import PQueue from 'p-queue';
import { formatMillis, toFeedbackRow, type Storage } from '@spanlens/clickhouse';
import { backoffMs, type RetryPolicy, retryPolicy, silentLogger, type Logger } from '@spanlens/collector';
import { soleLease, type Lease } from '../alerts/lease.ts';
import type { SecretBox } from '../secrets.ts';
import { resolvedJudge, scoreType, type Evaluator } from './definition.ts';
import type OpenAI from 'openai';
import { judge, judgeClient, JudgeError, templateValues } from './judge.ts';
import { compileRule, type CompiledRule } from './rules.ts';
import { isSampled, retrievedContext, startedIn, storedAfter, type Candidate, type EvaluatedSpan } from './spans.ts';
import {
  getEvaluator,
  insertResults,
  judgeKey,
  listBackfills,
  listEvaluators,
  loadStates,
  resultId,
  saveBackfill,
  saveState,
  storedResults,
  type Backfill,
  type EvaluationRow,
  type EvaluatorState,
} from './store.ts';

export interface EvaluationWorkerOptions {
  storage: Storage;
  box: SecretBox;
  /** Who may evaluate; default: this process alone (with Kafka, the shared lease). */
  lease?: Lease;
  /** Between scans. */
  everyMs?: number;
  /** Spans are judged once stored at least this long (see storedAfter). */
  settleMs?: number;
  /** Spans read per scan step (a judge's: at most ten seconds of its rate, see batchFor). */
  batchSize?: number;
  /** Consecutive failed calls after which an evaluator is shown unhealthy and only probed. */
  unhealthyAfter?: number;
  /** How often an unhealthy evaluator's judge is tried again, with one span. */
  probeEveryMs?: number;
  /** Longest pause after a failed call (doubling from 1 s). */
  maxBackoffMs?: number;
  log?: Logger;
}

interface Outcome {
  /** Candidates handled, in order, up to the first that must be tried again. */
  advanced: number;
  judgeError?: string;
  spanErrors: number;
  lastSpanError?: string;
  results: number;
}

/**
 * Runs evaluators in the background, never on the ingest path: each enabled evaluator scans
 * the spans stored since its watermark, samples them by hash, skips those already scored,
 * and writes one score per (evaluator version, span) whose id makes a repeat a no-op.
 * Backfills walk a past time range the same way. A failing judge stops its evaluator where
 * it is (so an outage loses nothing), backs off, and after `unhealthyAfter` failures is
 * marked unhealthy and only probed.
 */
export class EvaluationWorker {
  private readonly o: Required<Omit<EvaluationWorkerOptions, 'lease'>> & { lease: Lease };
  private readonly queues = new Map<string, { version: number; queue: PQueue }>();
  private readonly rules = new Map<string, CompiledRule>();
  /** Per evaluator version: its client with the key opened once, not per span. */
  private readonly clients = new Map<string, Promise<OpenAI>>();
  private readonly pausedUntil = new Map<string, number>();
  /** After a failed step: 1 s doubling to maxBackoffMs, ±10 %. */
  private readonly failureBackoff: RetryPolicy;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(opts: EvaluationWorkerOptions) {
    this.o = {
      lease: soleLease,
      everyMs: 2_000,
      settleMs: 2_000,
      batchSize: 1_000,
      unhealthyAfter: 5,
      probeEveryMs: 60_000,
      maxBackoffMs: 60_000,
      // Messages carry evaluator names and the judge's status, never span content.
      log: silentLogger(),
      ...opts,
    };
    this.failureBackoff = retryPolicy({ initialMs: 1000, maxMs: this.o.maxBackoffMs, jitter: 0.1 });
  }

  /** One pass: every enabled evaluator's new spans, then every running backfill. */
  async tick(): Promise<void> {
    if (!this.o.lease.held()) return;
    const [evaluators, states] = await Promise.all([listEvaluators(this.o.storage), loadStates(this.o.storage)]);
    await Promise.all(evaluators.filter((e) => e.enabled).map((e) => this.live(e, states.get(`${e.projectId}/${e.id}`))));
    for (const b of await listBackfills(this.o.storage, undefined, { running: true })) {
      if (this.closed) return;
      await this.backfill(b);
    }
  }

  private async live(ev: Evaluator, stored: EvaluatorState | undefined): Promise<void> {
    // A new evaluator judges what is stored from its creation on (older spans: a backfill);
    // a new version carries on from where the previous one stopped.
    let state: EvaluatorState = stored
      ? { ...stored, version: ev.version, ...(stored.version !== ev.version ? { healthy: true, consecutiveFailures: 0, lastError: '' } : {}) }
      : { version: ev.version, watermark: formatMillis(Date.parse(ev.createdAt)), watermarkSpan: '', healthy: true, consecutiveFailures: 0, lastError: '', failedTotal: 0 };
    if (!this.due(ev)) return;
    for (let step = 0; step < 10 && !this.closed; step++) {
      const limit = state.healthy ? this.batchFor(ev) : 1;
      const found = await storedAfter(this.o.storage, ev, { at: state.watermark, spanId: state.watermarkSpan }, this.o.settleMs, limit);
      if (found.length === 0) break;
      const out = await this.run(ev, found);
      const last = found[out.advanced - 1];
      state = this.afterRun(ev, state, out);
      if (last) state = { ...state, watermark: last.at, watermarkSpan: last.spanId };
      await saveState(this.o.storage, ev.projectId, ev.id, state);
      if (out.judgeError || found.length < limit) break;
    }
  }

  private async backfill(b: Backfill & { projectId: string }): Promise<void> {
    const ev = await getEvaluator(this.o.storage, b.projectId, b.evaluatorId, b.version);
    if (!ev) {
      await saveBackfill(this.o.storage, b.projectId, { ...b, status: 'cancelled', error: 'the evaluator was deleted' });
      return;
    }
    const states = await loadStates(this.o.storage, b.projectId);
    const state = states.get(`${b.projectId}/${b.evaluatorId}`);
    if (!this.due(ev)) return;
    const found = await startedIn(this.o.storage, ev, b.fromMs, b.toMs, b.cursor, this.batchFor(ev), true);
    if (found.length === 0) {
      await saveBackfill(this.o.storage, b.projectId, { ...b, status: 'done', done: b.total });
      return;
    }
    const out = await this.run(ev, found);
    const last = found[out.advanced - 1];
    if (state) await saveState(this.o.storage, ev.projectId, ev.id, this.afterRun(ev, state, out));
    await saveBackfill(this.o.storage, b.projectId, {
      ...b,
      done: Math.min(b.total, b.done + out.advanced),
      cursor: last ? { at: last.at, spanId: last.spanId } : b.cursor,
      error: out.judgeError ?? out.lastSpanError ?? b.error,
    });
  }

  /**
   * 1,000 spans per step cost rules a quarter of the CPU that 200 do (bench/evaluations.ts); a
   * judge's step is cut to ten seconds of its rate so its watermark and backfill progress stay fresh.
   */
  private batchFor(ev: Evaluator): number {
    if (ev.type !== 'llm_judge') return this.o.batchSize;
    return Math.min(this.o.batchSize, Math.max(ev.concurrency, Math.ceil(ev.ratePerMinute / 6)));
  }

  /** Whether an evaluator may call now: not backing off after a failure (an unhealthy one: due for its probe). */
  private due(ev: Evaluator): boolean {
    return Date.now() >= (this.pausedUntil.get(`${ev.projectId}/${ev.id}`) ?? 0);
  }

  private afterRun(ev: Evaluator, state: EvaluatorState, out: Outcome): EvaluatorState {
    const key = `${ev.projectId}/${ev.id}`;
    const failedTotal = state.failedTotal + out.spanErrors;
    if (!out.judgeError) {
      this.pausedUntil.delete(key);
      return { ...state, healthy: true, consecutiveFailures: 0, failedTotal, lastError: out.lastSpanError ?? (state.healthy ? state.lastError : '') };
    }
    const failures = state.consecutiveFailures + 1;
    const healthy = failures < this.o.unhealthyAfter;
    const pause = healthy ? backoffMs(this.failureBackoff, failures) : this.o.probeEveryMs;
    this.pausedUntil.set(key, Date.now() + pause);
    if (state.healthy && !healthy) this.o.log.warn(`evaluator ${ev.name} (${ev.id}) is unhealthy after ${failures} failed calls: ${out.judgeError}`);
    return { ...state, healthy, consecutiveFailures: failures, failedTotal, lastError: out.judgeError };
  }

  /**
   * Evaluates the sampled candidates not yet scored and stores every result it got. The scan
   * advances past each candidate handled, up to the first one still to be judged.
   */
  private async run(ev: Evaluator, found: Candidate[]): Promise<Outcome> {
    const idOf = (c: Candidate) => resultId(ev.id, ev.version, c.spanId);
    const sampled = found.filter((c) => isSampled(ev.id, c.spanId, ev.sampleRate));
    const done = await storedResults(
      this.o.storage,
      ev.projectId,
      sampled.map((c) => ({ traceId: c.traceId, id: idOf(c) })),
    );
    const todo = sampled.filter((c) => !done.has(idOf(c)));
    const spans = new Map(todo.flatMap((c) => (c.span ? [[c.spanId, c.span] as const] : [])));
    const queue = this.queueFor(ev);
    const outcomes = new Map<string, EvaluationRow | JudgeError>();
    let judgeError: string | undefined;
    await Promise.all(
      todo.map((c) =>
        queue.add(async () => {
          const span = spans.get(c.spanId);
          // Once the judge fails, the rest of this step waits for the next try.
          if (!span || judgeError !== undefined || this.closed) return;
          try {
            outcomes.set(c.spanId, await this.evaluate(ev, span));
          } catch (err) {
            const e = err instanceof JudgeError ? err : new JudgeError('judge', err instanceof Error ? err.message : String(err));
            if (e.scope === 'judge') judgeError ??= e.message;
            outcomes.set(c.spanId, e);
          }
        }),
      ),
    );
    const rows: EvaluationRow[] = [];
    const out: Outcome = { advanced: found.length, spanErrors: 0, results: 0, ...(judgeError !== undefined ? { judgeError } : {}) };
    for (const [i, c] of found.entries()) {
      const r = outcomes.get(c.spanId);
      if (r instanceof JudgeError && r.scope === 'span') {
        out.spanErrors++;
        out.lastSpanError = r.message;
      } else if (r instanceof JudgeError || (r === undefined && spans.has(c.spanId))) {
        out.advanced = Math.min(out.advanced, i);
      } else if (r) rows.push(r);
    }
    await insertResults(this.o.storage, rows);
    out.results = rows.length;
    return out;
  }

  private async evaluate(ev: Evaluator, span: EvaluatedSpan): Promise<EvaluationRow> {
    let value: number | boolean | string;
    let comment: string;
    let tokens = 0;
    let cost = 0;
    if (ev.type === 'rule') {
      const r = this.ruleFor(ev)(span);
      value = r.passed;
      comment = r.comment;
    } else {
      const j = ev.judge!;
      const context = resolvedJudge(j).template.includes('{{context}}') ? await retrievedContext(this.o.storage, ev.projectId, span.traceId) : '';
      const verdict = await judge(ev, await this.clientFor(ev), templateValues(span, j.referenceAttribute, context));
      ({ value, reasoning: comment, tokens, costUsd: cost } = verdict);
    }
    const row = toFeedbackRow(ev.projectId, {
      id: resultId(ev.id, ev.version, span.spanId),
      traceId: span.traceId,
      spanId: ev.scope === 'root' ? null : span.spanId,
      name: ev.name,
      value,
      dataType: scoreType(ev),
      comment: comment.slice(0, 10_000),
      source: 'evaluation',
      author: `${ev.name} v${ev.version}`,
    });
    return { ...row, evaluator_id: ev.id, evaluator_version: ev.version, judge_tokens: tokens, judge_cost_usd: cost };
  }

  private ruleFor(ev: Evaluator): CompiledRule {
    const key = `${ev.projectId}/${ev.id}/${ev.version}`;
    let rule = this.rules.get(key);
    if (!rule) this.rules.set(key, (rule = compileRule(ev.rule!)));
    return rule;
  }

  private clientFor(ev: Evaluator): Promise<OpenAI> {
    const key = `${ev.projectId}/${ev.id}/${ev.version}`;
    let client = this.clients.get(key);
    if (!client) {
      client = judgeKey(this.o.storage, this.o.box, ev).then((apiKey) => judgeClient(ev, apiKey));
      // A failed read (storage down, a changed SPANLENS_SECRET_KEY) is tried again next time.
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  private queueFor(ev: Evaluator): PQueue {
    const key = `${ev.projectId}/${ev.id}`;
    const known = this.queues.get(key);
    if (known && known.version === ev.version) return known.queue;
    // Rule checks call nothing: no rate to keep. Judge rates of a call a second and more are
    // spread per second, slower ones one call at a time.
    const perSecond = ev.ratePerMinute >= 60;
    const queue =
      ev.type === 'rule'
        ? new PQueue({ concurrency: 1 })
        : new PQueue({
            concurrency: ev.concurrency,
            interval: perSecond ? 1000 : Math.ceil(60_000 / ev.ratePerMinute),
            intervalCap: perSecond ? Math.floor(ev.ratePerMinute / 60) : 1,
          });
    this.queues.set(key, { version: ev.version, queue });
    return queue;
  }

  start(): void {
    const run = () => {
      if (this.running || this.closed) return;
      this.running = this.tick()
        .catch((err: Error) => this.o.log.error(`evaluation failed: ${err.message}`))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(run, this.o.everyMs);
    this.timer.unref();
    run();
  }

  /** Waits for the pass under way: closing storage under a running statement crashes chDB. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const { queue } of this.queues.values()) queue.clear();
    await this.running;
    await this.o.lease.close();
  }
}

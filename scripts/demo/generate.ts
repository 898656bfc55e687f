// The demo's traffic plan: pure and seeded. planDemo() returns every trace, span and feedback
// score the demo sends, so tests and benchmarks can reuse it without a network.
//
// Users hold multi-turn sessions with three services over the past days, following a daily
// rhythm (quiet nights, busy afternoons, calmer weekends). Halfway through (a quarter of the
// span earlier in staging) support-bot ships 2.0: gpt-4o -> claude-sonnet-4, prompt support-agent
// v7 -> v8 at about twice the input tokens (so higher latency), and a slightly higher error rate.
import { BAD_COMMENTS, FOLLOW_UPS, GOOD_COMMENTS, supportTopic } from './content.ts';
import { TraceBuilder, type Msg, type PlannedSpan, type TraceContext } from './model.ts';
import { Rng } from './random.ts';
import { searchApi, summarizer, supportBot } from './scenarios.ts';

export type { AttrValue, Attrs, DemoKind, PlannedEvent, PlannedSpan } from './model.ts';

export interface DemoOptions {
  seed: number | string;
  traces: number;
  days: number;
  /** Epoch ms the plan ends at (default: Date.now()). Ids derive from seed and now, so a later run never repeats them. */
  now: number;
}

export const DEMO_DEFAULTS = { seed: 42, traces: 3000, days: 7 } as const;

export interface PlannedFeedback {
  id: string;
  traceId: string;
  name: string;
  value: boolean | number;
  comment: string | null;
  userId: string;
  /** ISO 8601. */
  timestamp: string;
}

export interface PlannedTrace extends TraceContext {
  traceId: string;
  startMs: number;
  endMs: number;
  spans: PlannedSpan[];
  feedback: PlannedFeedback[];
}

export interface DemoPlan {
  options: DemoOptions;
  /** When production switched to support-bot 2.0. */
  changeAtMs: number;
  traces: PlannedTrace[];
  spanCount: number;
  feedbackCount: number;
}

const DAY_MS = 86_400_000;
export const DEMO_SERVICES = ['support-bot', 'search-api', 'summarizer'] as const;
type Service = (typeof DEMO_SERVICES)[number];

/** Relative traffic at a moment (UTC): a morning bump, an afternoon peak, quiet nights and weekends. */
export function activity(ms: number): number {
  const d = new Date(ms);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  const diurnal = 0.12 + Math.exp(-((h - 15) ** 2) / (2 * 3.5 ** 2)) + 0.5 * Math.exp(-((h - 9.5) ** 2) / (2 * 2 ** 2));
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.6 : 1;
  return diurnal * weekend;
}

function releaseOf(service: Service, environment: string, changed: boolean, t: number, from: number, span: number): string {
  const late = t >= from + span * 0.8;
  if (service === 'support-bot') {
    if (environment === 'staging') return changed ? (late ? '2.1.0-rc.1' : '2.0.0-rc.3') : '1.8.4';
    if (!changed) return t < from + span * 0.25 ? '1.8.3' : '1.8.4';
    return late ? '2.0.1' : '2.0.0';
  }
  if (service === 'search-api') return late ? '3.5.0' : '3.4.2';
  return '0.9.1';
}

const PLANS = ['free', 'free', 'free', 'pro', 'pro', 'business'];

export function planDemo(opts: Partial<DemoOptions> = {}): DemoPlan {
  const options: DemoOptions = { ...DEMO_DEFAULTS, now: Date.now(), ...opts };
  const { traces: wanted, days, now } = options;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error('traces: must be a positive integer');
  if (!(days > 0 && days <= 29)) throw new Error('days: must be more than 0 and at most 29 (the default retention is 30 days)');
  const rng = new Rng(`spanlens-demo:${options.seed}`);
  const ids = new Rng(`spanlens-demo-ids:${options.seed}:${now}`);
  const from = now - days * DAY_MS;
  const span = days * DAY_MS;
  const changeAtMs = from + span / 2;
  const latestStart = now - 5 * 60_000; // every trace has ended before now

  const sampleTime = (): number => {
    for (;;) {
      const t = from + rng.next() * (latestStart - from);
      if (rng.next() * 1.7 < activity(t)) return t;
    }
  };

  const traces: PlannedTrace[] = [];
  while (traces.length < wanted) {
    const service = rng.weighted<Service>({ 'support-bot': 55, 'search-api': 30, summarizer: 15 });
    const environment = rng.chance(0.12) ? 'staging' : 'production';
    const userIndex = environment === 'staging' ? rng.int(0, 3) : rng.zipf(service === 'summarizer' ? 40 : 300);
    const userId = environment === 'staging' ? ['qa-alice', 'qa-bob', 'qa-chen', 'qa-dara'][userIndex]! : `user-${String(userIndex + 1).padStart(4, '0')}`;
    const plan = PLANS[userIndex % PLANS.length]!;
    const turns = service === 'support-bot' ? Number(rng.weighted({ 1: 30, 2: 30, 3: 20, 4: 12, 5: 8 })) : service === 'search-api' ? Number(rng.weighted({ 1: 50, 2: 30, 3: 15, 4: 5 })) : 1;
    const sessionId = service === 'summarizer' ? null : `${service === 'support-bot' ? 'chat' : 'search'}_${ids.hex(6)}`;
    const channel = rng.chance(0.3) ? 'channel:mobile' : 'channel:web';
    const history: Msg[] = [];
    let t = sampleTime();
    for (let turn = 0; turn < turns && traces.length < wanted && t <= latestStart; turn++) {
      const changed = t >= changeAtMs - (environment === 'staging' ? span / 4 : 0);
      const tags = service === 'support-bot' ? ['support', `plan:${plan}`, channel] : service === 'search-api' ? ['search', `plan:${plan}`] : ['batch'];
      const ctx: TraceContext = {
        service,
        environment,
        release: releaseOf(service, environment, changed, t, from, span),
        userId,
        sessionId,
        tags,
        changed,
      };
      const tb = new TraceBuilder(ids.hex(16), ids, rng, ctx);
      if (service === 'support-bot') {
        const topic = turn === 0 ? supportTopic(rng) : rng.pick(FOLLOW_UPS);
        const answer = supportBot(tb, t, { index: turn, topic, history: [...history] });
        history.push({ role: 'user', content: topic.question });
        if (answer) history.push({ role: 'assistant', content: answer });
      } else if (service === 'search-api') {
        searchApi(tb, t);
      } else {
        summarizer(tb, t);
      }
      const root = tb.spans[0]!;
      const trace: PlannedTrace = { ...ctx, traceId: tb.traceId, startMs: root.startMs, endMs: root.endMs, spans: tb.spans, feedback: [] };
      addFeedback(rng, trace);
      traces.push(trace);
      // The user reads the answer, then types the next message.
      t = root.endMs + rng.lognormal(service === 'support-bot' ? 35_000 : 20_000, 0.5);
    }
  }
  traces.sort((a, b) => a.startMs - b.startMs);
  return {
    options,
    changeAtMs,
    traces,
    spanCount: traces.reduce((n, tr) => n + tr.spans.length, 0),
    feedbackCount: traces.reduce((n, tr) => n + tr.feedback.length, 0),
  };
}

/** A share of users rate what they got: thumbs on chats and answers, a 1-5 rating on summaries. */
function addFeedback(rng: Rng, trace: PlannedTrace): void {
  const share = trace.service === 'support-bot' ? 0.25 : trace.service === 'search-api' ? 0.1 : 0.12;
  if (!rng.chance(share)) return;
  const failed = trace.spans.some((s) => s.error !== null);
  const happyP = failed ? 0.15 : trace.service === 'support-bot' ? (trace.changed ? 0.86 : 0.74) : 0.8;
  const happy = rng.chance(happyP);
  const comment = rng.chance(0.35) ? rng.pick(happy ? GOOD_COMMENTS : BAD_COMMENTS) : null;
  const base = { traceId: trace.traceId, comment, userId: trace.userId, timestamp: new Date(trace.endMs + rng.lognormal(8_000, 0.6)).toISOString() };
  if (trace.service === 'summarizer') {
    trace.feedback.push({ ...base, id: `demo-${trace.traceId}-rating`, name: 'rating', value: happy ? rng.int(4, 5) : rng.int(1, 3) });
  } else {
    trace.feedback.push({ ...base, id: `demo-${trace.traceId}-thumbs`, name: 'thumbs', value: happy });
  }
}

// Typed client of the Spanlens query API (docs/api.md). Every call is same-origin: the
// session cookie (or a loopback connection) authenticates, X-Spanlens-Project picks the project.

export type Status = 'ok' | 'error' | 'unset';

export interface SessionInfo {
  authenticated: boolean;
  adminTokenRequired: boolean;
  projectId: string | null;
}

export interface Project {
  id: string;
  name: string;
}

export interface ApiKey {
  id: string;
  prefix: string;
  name: string;
  createdAt: string;
  revoked: boolean;
}

export interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  name: string;
  createdAt: string;
}

export type RedactionDetector = 'email' | 'phone' | 'credit_card' | 'ip_address';

export interface RedactionSettings {
  detectors: Record<RedactionDetector, boolean>;
  custom: Array<{ name: string; pattern: string }>;
  alwaysOn?: string[];
}

export interface Price {
  provider: string;
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number | null;
}

export interface TraceSummary {
  traceId: string;
  name: string;
  startTime: string;
  durationMs: number;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  errorCount: number;
  status: Status;
  models: string[];
  service: string | null;
  environment?: string | null;
  userId: string | null;
  sessionId: string | null;
  tags?: string[];
}

export interface TraceList {
  traces: TraceSummary[];
  nextCursor: string | null;
}

export interface SpanEvent {
  time: string;
  name: string;
  attributes: Record<string, unknown>;
}

export interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  model: string | null;
  provider: string | null;
  operation: string | null;
  startTime: string;
  endTime: string;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  tokensEstimated: boolean;
  costUsd: number;
  costEstimated: boolean;
  costSource: string;
  ttftMs: number | null;
  finishReason: string | null;
  status: Status;
  statusMessage: string | null;
  input: string | null;
  output: string | null;
  userId: string | null;
  sessionId: string | null;
  service: string | null;
  environment: string | null;
  release: string | null;
  promptName: string | null;
  promptVersion: string | null;
  tags: string[];
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  /** Values masked at ingest. */
  redactions: number;
  events: SpanEvent[];
}

export interface Feedback {
  id: string;
  spanId: string | null;
  name: string;
  dataType: string;
  value: number;
  stringValue: string | null;
  comment: string | null;
  /** user, annotation or evaluation. */
  source: string;
  author: string | null;
  userId: string | null;
  /** Source evaluation: the evaluator and version that wrote it. */
  evaluatorId?: string | null;
  evaluatorVersion?: number | null;
  /** The judge call's cost: never part of the trace's cost. */
  judgeCostUsd?: number | null;
  createdAt: string;
}

export interface TraceDetail {
  traceId: string;
  spans: Span[];
  feedback: Feedback[];
}

interface Aggregate {
  traceCount: number;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  errorCount: number;
  errorRate: number;
  firstSeen: string;
  lastSeen: string;
}

export interface SessionSummary extends Aggregate {
  sessionId: string;
  userId: string | null;
}

export interface SessionList {
  sessions: SessionSummary[];
  nextCursor: string | null;
}

export interface SessionDetail {
  session: SessionSummary;
  traces: TraceSummary[];
}

export interface UserSummary extends Aggregate {
  userId: string;
  sessionCount: number;
}

export interface UserList {
  users: UserSummary[];
  nextCursor: string | null;
}

// The metrics routes' answers are the API's own types (api/src/contract/metrics.ts), quality signals included.
export type { Summary, Timeseries, TimePoint, Top, TopRow, Totals } from '@spanlens/api/contract/metrics';

export type Scope = 'llm' | 'root' | 'all';

/** An error answered by the API (`{ error, message }`) or a failure to reach it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let currentProject: string | null = null;

/** The project sent as X-Spanlens-Project on every call (null: the API's default). */
export function setCurrentProject(id: string | null): void {
  currentProject = id;
}

/** Fired on `window` when a call answers 401, so the app can show the login form. */
export const UNAUTHENTICATED_EVENT = 'spanlens:unauthenticated';

export type QueryValue = string | number | ReadonlyArray<string> | null | undefined;

/** Builds a query string, skipping empty values and repeating array values. */
export function queryString(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string' || typeof v === 'number') q.append(k, String(v));
    else for (const item of v) if (item !== '') q.append(k, item);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (currentProject) headers['x-spanlens-project'] = currentProject;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network', `Could not reach the Spanlens API: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof e.error === 'string' ? e.error : `http_${res.status}`;
    const message = typeof e.message === 'string' ? e.message : `HTTP ${res.status} ${res.statusText}`.trim();
    if (res.status === 401 && typeof window !== 'undefined') window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
    throw new ApiError(res.status, code, message);
  }
  if (parsed === undefined) throw new ApiError(res.status, 'invalid_response', `Unexpected answer from ${path}: not JSON`);
  return parsed as T;
}

export const get = <T>(path: string): Promise<T> => request<T>('GET', path);

export const api = {
  session: () => get<SessionInfo>('/api/v1/session'),
  login: (token: string) => request<void>('POST', '/api/v1/session', { token }),
  logout: () => request<void>('DELETE', '/api/v1/session'),
  projects: () => get<{ projects: Project[] }>('/api/v1/projects'),
  keys: () => get<{ keys: ApiKey[] }>('/api/v1/keys'),
  createKey: (name: string) => request<CreatedKey>('POST', '/api/v1/keys', { name }),
  revokeKey: (id: string) => request<void>('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`),
  prices: () => get<{ prices: Price[] }>('/api/v1/prices'),
  setPrice: (p: Price) => request<Price>('PUT', '/api/v1/prices', p),
  setRedaction: (r: RedactionSettings) => request<RedactionSettings>('PUT', '/api/v1/redaction', { detectors: r.detectors, custom: r.custom }),
  deletePrice: (provider: string, model: string) => request<void>('DELETE', `/api/v1/prices?provider=${encodeURIComponent(provider)}&model=${encodeURIComponent(model)}`),
};

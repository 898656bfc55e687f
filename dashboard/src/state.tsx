// App-wide state kept in the URL (time range, auto-refresh) and in context (project, refresh tick).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useLocation, useSearchParams } from 'react-router';

export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type RangeKey = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeKey = '24h';

export const REFRESHES = { off: 0, '10s': 10_000, '30s': 30_000, '1m': 60_000 } as const;
export type RefreshKey = keyof typeof REFRESHES;

const isRange = (v: string | null): v is RangeKey => v !== null && Object.hasOwn(RANGES, v);
const isRefresh = (v: string | null): v is RefreshKey => v !== null && Object.hasOwn(REFRESHES, v);

export interface TimeState {
  range: RangeKey;
  refresh: RefreshKey;
  /** The window [from, to) as ISO strings; recomputed on every refresh tick. */
  from: string;
  to: string;
  /** Increments on every auto-refresh and on the refresh button. */
  tick: number;
  bump: () => void;
  setRange: (r: RangeKey) => void;
  setRefresh: (r: RefreshKey) => void;
}

const TimeContext = createContext<TimeState | null>(null);

export function TimeProvider({ children }: { children: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const rawRange = params.get('range');
  const rawRefresh = params.get('refresh');
  const range: RangeKey = isRange(rawRange) ? rawRange : DEFAULT_RANGE;
  const refresh: RefreshKey = isRefresh(rawRefresh) ? rawRefresh : 'off';
  const [tick, setTick] = useState(0);
  const bump = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const ms = REFRESHES[refresh];
    if (!ms) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [refresh]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the refresh tick moves the window on to now
  const win = useMemo(() => {
    const now = Date.now();
    return { from: new Date(now - RANGES[range]).toISOString(), to: new Date(now).toISOString() };
    // tick is a dependency on purpose: each refresh moves the window to "now".
  }, [range, tick]);

  const setParam = useCallback(
    (key: string, value: string, dflt: string) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        if (value === dflt) next.delete(key);
        else next.set(key, value);
        return next;
      });
    },
    [setParams],
  );

  const value = useMemo<TimeState>(
    () => ({
      range,
      refresh,
      tick,
      bump,
      ...win,
      setRange: (r) => setParam('range', r, DEFAULT_RANGE),
      setRefresh: (r) => setParam('refresh', r, 'off'),
    }),
    [range, refresh, tick, bump, win, setParam],
  );

  return <TimeContext.Provider value={value}>{children}</TimeContext.Provider>;
}

export function useTime(): TimeState {
  const t = useContext(TimeContext);
  if (!t) throw new Error('useTime outside TimeProvider');
  return t;
}

/** A link target that keeps the current time range and auto-refresh. */
export function useHref(): (path: string, extra?: Record<string, string>) => string {
  const location = useLocation();
  return useCallback(
    (path: string, extra: Record<string, string> = {}) => {
      const cur = new URLSearchParams(location.search);
      const [base, query = ''] = path.split('?');
      const next = new URLSearchParams(query);
      for (const k of ['range', 'refresh']) {
        const v = cur.get(k);
        if (v && !next.has(k)) next.set(k, v);
      }
      for (const [k, v] of Object.entries(extra)) next.set(k, v);
      const s = next.toString();
      return s ? `${base}?${s}` : (base ?? '/');
    },
    [location.search],
  );
}

export interface ProjectState {
  projectId: string | null;
  setProjectId: (id: string) => void;
}

export const ProjectContext = createContext<ProjectState>({ projectId: null, setProjectId: () => undefined });

export const useProject = (): ProjectState => useContext(ProjectContext);

// Data loading hooks: one GET per path, refreshed on the refresh tick and on project change.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, get } from './api.ts';
import { useProject, useTime } from './state.tsx';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True while a request is in flight (the previous data stays shown meanwhile). */
  loading: boolean;
  reload: () => void;
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'client', err instanceof Error ? err.message : String(err));
}

/** GETs `path` (null: nothing to load) and again on each refresh tick or project switch. */
export function useApi<T>(path: string | null): Loaded<T> {
  const { tick } = useTime();
  const { projectId } = useProject();
  const [local, setLocal] = useState(0);
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean; key: string | null }>({
    data: undefined,
    error: undefined,
    loading: path !== null,
    key: null,
  });
  const seq = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the refresh tick and the project are triggers: a new value re-fetches
  useEffect(() => {
    if (path === null) return;
    const mine = ++seq.current;
    const key = `${projectId ?? ''} ${path}`;
    setState((s) => ({ ...s, loading: true }));
    get<T>(path).then(
      (data) => {
        if (mine === seq.current) setState({ data, error: undefined, loading: false, key });
      },
      (err: unknown) => {
        // A failed refresh of the same query keeps its data; a new query drops the old one.
        if (mine === seq.current) setState((s) => ({ data: s.key === key ? s.data : undefined, error: asApiError(err), loading: false, key }));
      },
    );
  }, [path, tick, projectId, local]);

  const reload = useCallback(() => setLocal((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Paged<T> {
  items: T[];
  error: ApiError | undefined;
  loading: boolean;
  /** Loaded at least the first page. */
  loaded: boolean;
  hasMore: boolean;
  loadMore: () => void;
}

/**
 * Cursor pagination: `base` is the path with its query (without cursor); `pick` takes a page's
 * items. A new base, refresh tick or project starts again from the first page.
 */
export function usePaged<P extends { nextCursor: string | null }, T>(base: string, pick: (page: P) => T[]): Paged<T> {
  const { tick } = useTime();
  const { projectId } = useProject();
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const seq = useRef(0);
  const pickRef = useRef(pick);
  pickRef.current = pick;

  const fetchPage = useCallback(
    (after: string | null, append: boolean) => {
      const mine = ++seq.current;
      setLoading(true);
      const sep = base.includes('?') ? '&' : '?';
      const path = after ? `${base}${sep}cursor=${encodeURIComponent(after)}` : base;
      get<P>(path).then(
        (page) => {
          if (mine !== seq.current) return;
          const got = pickRef.current(page);
          setItems((prev) => (append ? [...prev, ...got] : got));
          setCursor(page.nextCursor);
          setError(undefined);
          setLoading(false);
          setLoaded(true);
        },
        (err: unknown) => {
          if (mine !== seq.current) return;
          if (!append) setItems([]);
          setError(asApiError(err));
          setLoading(false);
          setLoaded(true);
        },
      );
    },
    [base],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: the refresh tick and the project are triggers: a new value re-fetches
  useEffect(() => {
    fetchPage(null, false);
  }, [fetchPage, tick, projectId]);

  const loadMore = useCallback(() => {
    if (cursor) fetchPage(cursor, true);
  }, [cursor, fetchPage]);

  return { items, error, loading, loaded, hasMore: cursor !== null, loadMore };
}

export interface Action {
  busy: boolean;
  error: ApiError | undefined;
  run: (f: () => Promise<void>) => Promise<void>;
  clear: () => void;
}

/** A button's or form's request: busy while it runs, its error kept to show next to it. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(async (f: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', err instanceof Error ? err.message : String(err)));
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { busy, error, run, clear };
}

/** The id a list page keeps selected in its URL (?<name>=<id>), and a setter that keeps the other parameters. */
export function useSelectedParam(name: string): [string | null, (id: string | null) => void] {
  const [params, setParams] = useSearchParams();
  const select = useCallback(
    (id: string | null) =>
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        if (id) next.set(name, id);
        else next.delete(name);
        return next;
      }),
    [name, setParams],
  );
  return [params.get(name), select];
}

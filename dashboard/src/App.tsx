// Root: session check (login when needed), project choice, routes.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { api, ApiError, setCurrentProject, UNAUTHENTICATED_EVENT, type Project, type SessionInfo } from './api.ts';
import { Layout, PageHeader } from './components/Layout.tsx';
import { ErrorBox, Loading } from './components/States.tsx';
import { Alerts } from './pages/Alerts.tsx';
import { Cost } from './pages/Cost.tsx';
import { Drift } from './pages/Drift.tsx';
import { Evaluators } from './pages/Evaluators.tsx';
import { Login } from './pages/Login.tsx';
import { Overview } from './pages/Overview.tsx';
import { Quality } from './pages/Quality.tsx';
import { Queues } from './pages/Queues.tsx';
import { Review } from './pages/Review.tsx';
import { Session, Sessions } from './pages/Sessions.tsx';
import { Settings } from './pages/Settings.tsx';
import { Trace } from './pages/Trace.tsx';
import { Traces } from './pages/Traces.tsx';
import { Users } from './pages/Users.tsx';
import { ProjectContext, TimeProvider, type ProjectState } from './state.tsx';

const PROJECT_KEY = 'spanlens.project';

function NotFound() {
  return (
    <>
      <PageHeader title="Not found" />
      <div className="state state-empty">
        No page here. <Link to="/">Go to the overview</Link>.
      </div>
    </>
  );
}

function Shell({ session, onLogout }: { session: SessionInfo; onLogout: () => void }) {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(PROJECT_KEY));
  useEffect(() => {
    api.projects().then(
      (r) => setProjects(r.projects),
      () => setProjects([]),
    );
  }, []);
  // A remembered project that no longer exists falls back to the API's default.
  const projectId = chosen && projects?.some((p) => p.id === chosen) ? chosen : session.projectId;
  setCurrentProject(projectId);
  const project = useMemo<ProjectState>(
    () => ({
      projectId,
      setProjectId: (id: string) => {
        localStorage.setItem(PROJECT_KEY, id);
        setCurrentProject(id);
        setChosen(id);
      },
    }),
    [projectId],
  );

  if (projects === null)
    return (
      <div className="boot">
        <Loading label="Loading projects…" />
      </div>
    );
  return (
    <ProjectContext.Provider value={project}>
      <TimeProvider>
        <Layout projects={projects} canLogout={session.adminTokenRequired && session.authenticated} onLogout={onLogout}>
          <Routes>
            <Route path="/" element={<Overview />} />
            <Route path="/traces" element={<Traces />} />
            <Route path="/traces/:traceId" element={<Trace />} />
            <Route path="/sessions" element={<Sessions />} />
            <Route path="/sessions/:sessionId" element={<Session />} />
            <Route path="/users" element={<Users />} />
            <Route path="/cost" element={<Cost />} />
            <Route path="/quality" element={<Quality />} />
            <Route path="/drift" element={<Drift />} />
            <Route path="/evaluators" element={<Evaluators />} />
            <Route path="/queues" element={<Queues />} />
            <Route path="/queues/:queueId/review" element={<Review />} />
            <Route path="/alerts" element={<Alerts />} />
            <Route path="/settings" element={<Settings />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Layout>
      </TimeProvider>
    </ProjectContext.Provider>
  );
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const check = useCallback(() => {
    api.session().then(
      (s) => {
        setSession(s);
        setError(null);
      },
      (err: unknown) => setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err))),
    );
  }, []);
  useEffect(() => {
    check();
    window.addEventListener(UNAUTHENTICATED_EVENT, check);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, check);
  }, [check]);
  const logout = useCallback(() => {
    api.logout().finally(check);
  }, [check]);

  if (error && !session)
    return (
      <div className="boot">
        <ErrorBox error={error} onRetry={check} />
      </div>
    );
  if (!session)
    return (
      <div className="boot">
        <Loading label="Connecting to Spanlens…" />
      </div>
    );
  if (session.adminTokenRequired && !session.authenticated) return <Login onDone={check} />;
  return (
    <BrowserRouter>
      <Shell session={session} onLogout={logout} />
    </BrowserRouter>
  );
}

// The frame of every page: sidebar navigation, project switcher, time range and auto-refresh.
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import type { Project } from '../api.ts';
import { Icon } from './Icons.tsx';
import { RANGES, REFRESHES, useHref, useProject, useTime, type RangeKey, type RefreshKey } from '../state.tsx';

const NAV: Array<{ to: string; label: string; icon: string }> = [
  { to: '/', label: 'Overview', icon: 'overview' },
  { to: '/traces', label: 'Traces', icon: 'traces' },
  { to: '/sessions', label: 'Sessions', icon: 'sessions' },
  { to: '/users', label: 'Users', icon: 'users' },
  { to: '/cost', label: 'Cost', icon: 'cost' },
  { to: '/quality', label: 'Quality', icon: 'quality' },
  { to: '/drift', label: 'Drift', icon: 'drift' },
  { to: '/evaluators', label: 'Evaluators', icon: 'evaluators' },
  { to: '/queues', label: 'Annotation', icon: 'queues' },
  { to: '/alerts', label: 'Alerts', icon: 'alerts' },
  { to: '/settings', label: 'Settings', icon: 'settings' },
];

interface LayoutProps {
  projects: Project[];
  canLogout: boolean;
  onLogout: () => void;
  children: ReactNode;
}

export function Layout({ projects, canLogout, onLogout, children }: LayoutProps) {
  const href = useHref();
  const { projectId, setProjectId } = useProject();
  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>Spanlens</span>
        </div>
        {projects.length > 1 && (
          <label className="project-switcher">
            <span className="sidebar-label">Project</span>
            <select aria-label="Project" value={projectId ?? ''} onChange={(e) => setProjectId(e.target.value)}>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <nav>
          {NAV.map((n) => (
            <NavLink key={n.to} to={href(n.to)} end={n.to === '/'} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>
              <Icon name={n.icon} />
              {n.label}
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-foot">
          {canLogout && (
            <button type="button" className="btn-link" onClick={onLogout}>
              Sign out
            </button>
          )}
          <a className="muted" href="/api/v1/openapi.json" target="_blank" rel="noreferrer">
            API reference
          </a>
        </div>
      </aside>
      <div className="main">{children}</div>
    </div>
  );
}

/** Page title with the time range picker (unless `range` is false) and auto-refresh on the right. */
export function PageHeader({ title, subtitle, children, range: withRange = true }: { title: ReactNode; subtitle?: ReactNode; children?: ReactNode; range?: boolean }) {
  const { range, refresh, setRange, setRefresh, bump } = useTime();
  return (
    <header className="page-header">
      <div className="page-title">
        <h1>{title}</h1>
        {subtitle && <div className="page-subtitle">{subtitle}</div>}
      </div>
      <div className="toolbar">
        {children}
        {withRange && (
          <div className="segmented" role="group" aria-label="Time range">
            {(Object.keys(RANGES) as RangeKey[]).map((r) => (
              <button key={r} type="button" className={r === range ? 'active' : ''} aria-pressed={r === range} onClick={() => setRange(r)}>
                {r}
              </button>
            ))}
          </div>
        )}
        <label className="refresh">
          <span className="sr-only">Auto-refresh</span>
          <select aria-label="Auto-refresh" value={refresh} onChange={(e) => setRefresh(e.target.value as RefreshKey)}>
            {(Object.keys(REFRESHES) as RefreshKey[]).map((r) => (
              <option key={r} value={r}>
                {r === 'off' ? 'Auto-refresh off' : `Every ${r}`}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-icon" title="Refresh now" aria-label="Refresh now" onClick={bump}>
          ↻
        </button>
      </div>
    </header>
  );
}

// Small line icons for the sidebar (inline SVG: no icon font, no extra request).
import type { ReactElement } from 'react';

const paths: Record<string, ReactElement> = {
  overview: (
    <>
      <rect x="2" y="2" width="5" height="5" rx="1" />
      <rect x="9" y="2" width="5" height="3" rx="1" />
      <rect x="9" y="7" width="5" height="7" rx="1" />
      <rect x="2" y="9" width="5" height="5" rx="1" />
    </>
  ),
  traces: (
    <>
      <path d="M2 3.5h12M4 8h10M6 12.5h8" />
    </>
  ),
  sessions: (
    <>
      <path d="M2.5 3.5h8v6h-4l-2.5 2v-2h-1.5z" />
      <path d="M12.5 6.5h1v6h-1.5v1.5l-2-1.5h-3" />
    </>
  ),
  users: (
    <>
      <circle cx="8" cy="5.5" r="2.5" />
      <path d="M3 13.5c.6-2.6 2.6-4 5-4s4.4 1.4 5 4" />
    </>
  ),
  cost: (
    <>
      <circle cx="8" cy="8" r="6" />
      <path d="M10 5.8c-.4-.6-1.1-.9-2-.9-1.2 0-2 .6-2 1.5 0 2 4 1 4 3.1 0 .9-.9 1.6-2.1 1.6-.9 0-1.7-.4-2.1-1M8 3.6v1.3M8 11.1v1.3" />
    </>
  ),
  quality: (
    <>
      <path d="M8 1.9l1.8 3.7 4 .6-2.9 2.8.7 4L8 11.1 4.4 13l.7-4-2.9-2.8 4-.6z" />
    </>
  ),
  drift: (
    <>
      <path d="M1.5 13.5c2.6 0 2.4-8 4.6-8s2 8 4.6 8" />
      <path d="M6.2 13.5c2.4 0 2.4-6 4.2-6s1.9 6 4.1 6" strokeDasharray="1.8 1.4" />
    </>
  ),
  evaluators: (
    <>
      <path d="M3 8.5l2.6 2.6L13 3.7" />
      <path d="M3 13.5h10" />
    </>
  ),
  queues: (
    <>
      <rect x="2.5" y="2.5" width="11" height="3" rx="1" />
      <rect x="2.5" y="7" width="11" height="3" rx="1" />
      <path d="M4.5 12.5h7" />
    </>
  ),
  alerts: (
    <>
      <path d="M4.2 11.2V7.4a3.8 3.8 0 0 1 7.6 0v3.8l1.2 1.6H3z" />
      <path d="M6.6 14.3h2.8" />
    </>
  ),
  settings: (
    <>
      <circle cx="8" cy="8" r="2" />
      <path d="M8 1.8v2M8 12.2v2M1.8 8h2M12.2 8h2M3.6 3.6l1.4 1.4M11 11l1.4 1.4M3.6 12.4 5 11M11 5l1.4-1.4" />
    </>
  ),
};

export function Icon({ name }: { name: keyof typeof paths | string }) {
  return (
    <svg className="icon" width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths[name] ?? null}
    </svg>
  );
}

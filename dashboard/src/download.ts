// Same-origin download links. The session cookie authenticates them, but a link cannot carry the
// X-Spanlens-Project header: for another project than the API's default, a click fetches with
// the header and saves the answer instead.
import { useEffect, useState, type MouseEvent } from 'react';
import { api, ApiError } from './api.ts';
import { useAction, type Action } from './hooks.ts';
import { useProject } from './state.tsx';

/** The project the API picks without X-Spanlens-Project. */
function useDefaultProject(): string | null | undefined {
  const [id, setId] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    api.session().then(
      (s) => {
        if (live) setId(s.projectId);
      },
      () => {
        if (live) setId(null);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return id;
}

export interface Download {
  /** The link's onClick: lets the browser follow it, or fetches with the project header. */
  onClick: (e: MouseEvent<HTMLAnchorElement>, href: string, fallbackName: string) => void;
  action: Action;
}

export function useDownload(): Download {
  const { projectId } = useProject();
  const defaultProject = useDefaultProject();
  const action = useAction();
  const onClick = (e: MouseEvent<HTMLAnchorElement>, href: string, fallbackName: string) => {
    if (!projectId || defaultProject === undefined || projectId === defaultProject) return;
    e.preventDefault();
    void action.run(async () => {
      const res = await fetch(href, { headers: { 'x-spanlens-project': projectId }, credentials: 'same-origin' });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
        throw new ApiError(res.status, body.error ?? `http_${res.status}`, body.message ?? `HTTP ${res.status}`);
      }
      const blob = await res.blob();
      const file = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = file;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
  };
  return { onClick, action };
}

import { DEFAULT_REDACTION, listRedactionSettings, type Storage } from '@spanlens/clickhouse';
import { PeriodicReload } from './periodic-reload.ts';
import { Redactor, type RedactionSource } from './processors/redaction.ts';

/** Each project's redactor, rebuilt in the background so ingest never waits on I/O. */
export class RedactionCache extends PeriodicReload implements RedactionSource {
  private readonly fallback = new Redactor(DEFAULT_REDACTION);
  private redactors = new Map<string, Redactor>();

  constructor(
    private readonly storage: Storage,
    refreshMs?: number,
  ) {
    super(refreshMs);
  }

  async reload(): Promise<void> {
    const next = new Map<string, Redactor>();
    for (const [project, settings] of await listRedactionSettings(this.storage)) next.set(project, new Redactor(settings));
    this.redactors = next;
  }

  redactor(projectId: string): Redactor {
    return this.redactors.get(projectId) ?? this.fallback;
  }
}

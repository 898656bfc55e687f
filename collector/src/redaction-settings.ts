import { DEFAULT_REDACTION, listRedactionSettings, type Storage } from '@spanlens/clickhouse';
import { Redactor, type RedactionSource } from './processors/redaction.ts';

/** Each project's redactor, rebuilt in the background so ingest never waits on I/O. */
export class RedactionCache implements RedactionSource {
  private readonly fallback = new Redactor(DEFAULT_REDACTION);
  private redactors = new Map<string, Redactor>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly storage: Storage, private readonly refreshMs = 30_000) {}

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }

  async reload(): Promise<void> {
    const next = new Map<string, Redactor>();
    for (const [project, settings] of await listRedactionSettings(this.storage)) next.set(project, new Redactor(settings));
    this.redactors = next;
  }

  redactor(projectId: string): Redactor {
    return this.redactors.get(projectId) ?? this.fallback;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

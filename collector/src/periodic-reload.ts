/** A cache loaded at start and reloaded in the background, so the ingest path never waits on I/O. */
export abstract class PeriodicReload {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly refreshMs = 30_000) {}

  abstract reload(): Promise<void>;

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

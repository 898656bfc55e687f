import { listCustomPrices, type CustomPrice, type Storage } from '@spanlens/clickhouse';
import { PeriodicReload } from './periodic-reload.ts';
import type { CustomPrices } from './processors/pricing.ts';

/** Project price overrides, reloaded in the background so pricing never waits on I/O. */
export class CustomPriceCache extends PeriodicReload implements CustomPrices {
  private prices = new Map<string, CustomPrice>();

  constructor(
    private readonly storage: Storage,
    refreshMs?: number,
  ) {
    super(refreshMs);
  }

  async reload(): Promise<void> {
    const next = new Map<string, CustomPrice>();
    for (const p of await listCustomPrices(this.storage)) next.set(`${p.project_id}\u0000${p.provider}\u0000${p.model}`, p);
    this.prices = next;
  }

  find(projectId: string, provider: string, model: string): CustomPrice | undefined {
    return this.prices.get(`${projectId}\u0000${provider}\u0000${model}`) ?? this.prices.get(`${projectId}\u0000\u0000${model}`);
  }
}

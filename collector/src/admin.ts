import type { FastifyInstance } from 'fastify';
import type { CollectorMetrics } from './telemetry.ts';

export interface AdminOptions {
  metrics: CollectorMetrics;
  /** Resolves when this process can reach what it writes to (ClickHouse, Kafka); throws with the reason otherwise. */
  ready: () => Promise<void>;
}

/**
 * /metrics (Prometheus text), /healthz (the process answers) and /readyz (it can reach its
 * downstream), without an API key, on the collector's HTTP port.
 */
export async function adminRoutes(app: FastifyInstance, o: AdminOptions): Promise<void> {
  app.get('/metrics', async (_req, reply) => reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics()));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await withTimeout(o.ready(), 3000);
      return { status: 'ready' };
    } catch (err) {
      return reply.code(503).send({ status: 'not ready', reason: (err as Error).message });
    }
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

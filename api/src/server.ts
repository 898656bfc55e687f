import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { bearerKey, type KeyCache, type Storage } from '@spanlens/clickhouse';
import { ApiError, type ApiErrorBody } from './errors.ts';
import { priceRoutes } from './routes/prices.ts';
import { traceRoutes } from './routes/traces.ts';

export interface ApiOptions {
  storage: Storage;
  keys: KeyCache;
  retentionDays: number;
  /** Built dashboard to serve at `/`, if any. */
  dashboardDir?: string;
  /** Called after a project's prices change, so the collector reprices at once. */
  onPricesChanged?: () => Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const body = toErrorBody(err);
    return reply.code(body.status).send({ error: body.error, message: body.message });
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Spanlens API', version: '0.1.0', description: 'Query traces, spans and feedback of LLM applications.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Project API key' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  await app.register(async (v1) => {
    v1.decorateRequest('projectId', '');
    // Every route in this scope belongs to the project of the caller's key.
    v1.addHook('onRequest', async (req) => {
      const key = bearerKey(req.headers.authorization);
      if (!key) throw new ApiError('unauthenticated', 'missing API key: send Authorization: Bearer <key>');
      const projectId = await opts.keys.resolve(key);
      if (!projectId) throw new ApiError('unauthenticated', 'invalid or revoked API key');
      req.projectId = projectId;
    });
    await v1.register(traceRoutes, { storage: opts.storage, retentionDays: opts.retentionDays });
    await v1.register(priceRoutes, { storage: opts.storage, onChange: opts.onPricesChanged });
  }, { prefix: '/api/v1' });

  if (opts.dashboardDir) {
    await app.register(fastifyStatic, { root: opts.dashboardDir, prefix: '/', wildcard: false, index: 'index.html' });
  }
  return app;
}

function toErrorBody(err: FastifyError): ApiErrorBody & { status: number } {
  if (err instanceof ApiError) return { status: err.status, error: err.code, message: err.message };
  if (err.validation) {
    const first = err.validation[0];
    const path = first ? String(first.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') : '';
    const where = err.validationContext === 'querystring' ? '' : `${err.validationContext ?? ''} `;
    const field = path || (first?.params && 'keys' in first.params ? String((first.params as { keys: string[] }).keys) : '');
    return { status: 400, error: 'invalid_request', message: `${where}${field ? field + ': ' : ''}${first?.message ?? err.message}` };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, error: err.statusCode === 404 ? 'not_found' : 'invalid_request', message: err.message };
  }
  return { status: 500, error: 'internal', message: 'internal error' };
}

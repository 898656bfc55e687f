import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import fastifyCookie from '@fastify/cookie';
import type { KeyCache, Storage } from '@spanlens/clickhouse';
import { silentLogger, type Logger, type RetryPolicy } from '@spanlens/collector';
import fastifyRateLimit from '@fastify/rate-limit';
import { Authenticator } from './auth.ts';
import { ApiError, type ApiErrorBody } from './errors.ts';
import { AlertEvaluator } from './alerts/evaluator.ts';
import type { Lease } from './alerts/lease.ts';
import { Notifier } from './alerts/notifier.ts';
import { adminRoutes, sessionRoutes } from './routes/admin.ts';
import { alertRoutes } from './routes/alerts.ts';
import { driftRoutes } from './routes/drift.ts';
import { evaluatorRoutes } from './routes/evaluators.ts';
import { annotationRoutes } from './routes/annotations.ts';
import { EvaluationWorker, type EvaluationWorkerOptions } from './evaluations/worker.ts';
import { SecretBox } from './secrets.ts';
import { randomBytes } from 'node:crypto';
import { exportRoutes } from './routes/export.ts';
import { qualityRoutes } from './routes/quality.ts';
import { groupRoutes } from './routes/groups.ts';
import { metricRoutes } from './routes/metrics.ts';
import { redactionRoutes } from './routes/redaction.ts';
import { priceRoutes } from './routes/prices.ts';
import { traceRoutes } from './routes/traces.ts';

/** The OpenAPI document's version: this package's. */
const API_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface ApiOptions {
  storage: Storage;
  keys: KeyCache;
  retentionDays: number;
  /** Built dashboard to serve at `/`, if any. */
  dashboardDir?: string;
  /** Called after a project's prices change, so the collector reprices at once. */
  onPricesChanged?: () => Promise<void>;
  /** Called after a project's redaction settings change, so the collector applies them at once. */
  onRedactionChanged?: () => Promise<void>;
  /** SPANLENS_ADMIN_TOKEN: the dashboard asks for it; without it the dashboard is loopback-only. */
  adminToken?: string;
  alerts?: AlertOptions;
  /** Where apps send OTLP/HTTP, shown by the dashboard's getting-started notes. */
  otlpHttpEndpoint?: string;
  /** Requests per minute per API key (or per address without one) on /api; 0 or absent: no limit. */
  rateLimitPerMinute?: number;
  /** Seals judges' API keys at rest (loadSecretBox); absent: a key for this process only (tests). */
  secretBox?: SecretBox;
  evaluations?: EvaluationOptions;
  /** The process's logger (SPANLENS_LOG_LEVEL); absent: silent. Requests are not logged. */
  log?: Logger;
}

export interface EvaluationOptions extends Partial<Omit<EvaluationWorkerOptions, 'storage' | 'box' | 'log'>> {
  /** Run the evaluation worker in this process (with Kafka: under `lease`). */
  evaluate?: boolean;
}

export interface AlertOptions {
  /** SPANLENS_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate?: boolean;
  /** Run the evaluator on a timer in this process (exactly one process should). */
  evaluate?: boolean;
  dashboardUrl?: string;
  now?: () => number;
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** With several evaluating processes: the Kafka lease (see alerts/lease.ts). */
  lease?: Lease;
}

declare module 'fastify' {
  interface FastifyInstance {
    alerts: { evaluator: AlertEvaluator; notifier: Notifier };
    evaluations: EvaluationWorker;
  }
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const log = opts.log ?? silentLogger();
  const apiLog = log.child({ component: 'api' });
  const app = Fastify({ loggerInstance: apiLog as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const body = toErrorBody(err, apiLog);
    return reply.code(body.status).send({ error: body.error, message: body.message });
  });

  const a = opts.alerts ?? {};
  const notifier = new Notifier({ storage: opts.storage, allowPrivate: a.allowPrivate ?? false, now: a.now, retry: a.retry, timeoutMs: a.timeoutMs });
  const evaluator = new AlertEvaluator({ storage: opts.storage, notifier, now: a.now, dashboardUrl: a.dashboardUrl, lease: a.lease, log: log.child({ component: 'alerts' }) });
  app.decorate('alerts', { evaluator, notifier });
  if (a.evaluate) app.addHook('onReady', async () => evaluator.start());
  app.addHook('onClose', async () => evaluator.close());

  const box = opts.secretBox ?? new SecretBox(randomBytes(32));
  const { evaluate: runEvaluations, ...workerOptions } = opts.evaluations ?? {};
  const evaluations = new EvaluationWorker({ storage: opts.storage, box, ...workerOptions, log: log.child({ component: 'evaluations' }) });
  app.decorate('evaluations', evaluations);
  if (runEvaluations) app.addHook('onReady', async () => evaluations.start());
  app.addHook('onClose', async () => evaluations.close());

  const auth = new Authenticator({ storage: opts.storage, keys: opts.keys, adminToken: opts.adminToken });
  await app.register(fastifyCookie, { secret: auth.cookieSecret });

  if (opts.rateLimitPerMinute) {
    const max = opts.rateLimitPerMinute;
    await app.register(fastifyRateLimit, { global: false });
    // An app-level hook, so it runs before the API's own authentication: a wrong key is counted too.
    const limit = app.rateLimit({
      max,
      timeWindow: 60_000,
      // A valid key's hash names its bucket (the raw key is not kept). Everything else, the
      // dashboard, sign-in and wrong keys, goes by address, so guessing keys is limited too.
      keyGenerator: async (req) => {
        const auth = await opts.keys.authenticate(req.headers.authorization);
        return 'keyId' in auth ? `key:${auth.keyId}` : `addr:${req.ip}`;
      },
      errorResponseBuilder: (_req, ctx) => new ApiError('rate_limited', `over the API rate of ${max} requests per minute (SPANLENS_API_RATE_LIMIT): retry in ${ctx.after}`),
    });
    app.addHook('onRequest', async function (req, reply) {
      if (req.url.startsWith('/api/')) await limit.call(this, req, reply);
    });
  }

  const notFound = (req: FastifyRequest, reply: FastifyReply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  app.setNotFoundHandler(notFound);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Spanlens API', version: API_VERSION, description: 'Query traces, spans and feedback of LLM applications.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Project API key' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  await app.register(sessionRoutes, { prefix: '/api/v1', auth, otlpHttpEndpoint: opts.otlpHttpEndpoint ?? null });
  await app.register(
    async (v1) => {
      v1.decorateRequest('projectId', '');
      v1.decorateRequest('caller', 'key');
      // Every route in this scope reads one project: the key's, or the dashboard's choice.
      v1.addHook('onRequest', async (req) => auth.authenticate(req));
      const { storage, retentionDays } = opts;
      await v1.register(traceRoutes, { storage, retentionDays });
      await v1.register(groupRoutes, { storage, retentionDays });
      await v1.register(metricRoutes, { storage });
      await v1.register(driftRoutes, { storage });
      await v1.register(qualityRoutes, { storage });
      await v1.register(exportRoutes, { storage });
      await v1.register(evaluatorRoutes, { storage, box });
      await v1.register(annotationRoutes, { storage, retentionDays });
      await v1.register(priceRoutes, { storage, onChange: opts.onPricesChanged });
      await v1.register(redactionRoutes, { storage, onChange: opts.onRedactionChanged });
      await v1.register(adminRoutes, { storage, keys: opts.keys, auth });
      await v1.register(alertRoutes, { storage, notifier, evaluator, allowPrivate: a.allowPrivate ?? false });
    },
    { prefix: '/api/v1' },
  );

  if (opts.dashboardDir) {
    const dashboardDir = opts.dashboardDir;
    await app.register(async (ui) => {
      ui.addHook('onRequest', async (req, reply) => {
        if (!auth.adminTokenRequired && !auth.isLocal(req)) {
          return reply.code(403).type('text/plain').send('The Spanlens dashboard answers only on loopback addresses. Set SPANLENS_ADMIN_TOKEN to open it to other machines.\n');
        }
      });
      await ui.register(fastifyStatic, { root: dashboardDir, prefix: '/', wildcard: false, index: 'index.html' });
      // The dashboard routes in the browser: its deep links all load index.html.
      // Files added by a later build (new hashed assets) are served too, without a restart.
      ui.get('/*', { schema: { hide: true } }, async (req, reply) => {
        const path = decodeURIComponent(req.url.split('?')[0] ?? '/');
        const file = resolve(dashboardDir, '.' + path);
        if (!path.startsWith('/api/') && file.startsWith(resolve(dashboardDir) + sep) && existsSync(file) && statSync(file).isFile()) {
          return reply.sendFile(relative(dashboardDir, file));
        }
        if (path.startsWith('/api/') || !String(req.headers.accept ?? '').includes('text/html')) return notFound(req, reply);
        return reply.type('text/html').sendFile('index.html');
      });
    });
  }
  return app;
}

function toErrorBody(err: FastifyError, log: Logger): ApiErrorBody & { status: number } {
  if (err instanceof ApiError) return { status: err.status, error: err.code, message: err.message };
  if (err.validation) {
    const first = err.validation[0];
    const path = first
      ? String(first.instancePath ?? '')
          .replace(/^\//, '')
          .replace(/\//g, '.')
      : '';
    const where = err.validationContext === 'querystring' ? '' : `${err.validationContext ?? ''} `;
    const field = path || (first?.params && 'keys' in first.params ? String((first.params as { keys: string[] }).keys) : '');
    return { status: 400, error: 'invalid_request', message: `${where}${field ? field + ': ' : ''}${first?.message ?? err.message}` };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, error: err.statusCode === 404 ? 'not_found' : 'invalid_request', message: err.message };
  }
  // The message only: a request's body may hold span content.
  log.error(`api internal error: ${err.name}: ${err.message}`);
  return { status: 500, error: 'internal', message: 'internal error' };
}

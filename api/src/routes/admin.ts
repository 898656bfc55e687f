import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { addApiKey, generateApiKey, keyId, KEY_PREFIX, listApiKeys, revokeApiKeyById, type KeyCache, type Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { requireAdmin, type Authenticator } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { errorResponse } from '../schemas.ts';

const keyInfo = z.object({ id: z.string(), prefix: z.string(), name: z.string(), createdAt: z.string(), revoked: z.boolean() });

/** Dashboard sign-in; public, since it is how a browser gets its session. */
export const sessionRoutes: FastifyPluginAsyncZod<{ auth: Authenticator; otlpHttpEndpoint: string | null }> = async (app, { auth, otlpHttpEndpoint }) => {
  app.get(
    '/session',
    {
      schema: {
        summary: 'Whether this browser may use the dashboard',
        response: { 200: z.object({ authenticated: z.boolean(), adminTokenRequired: z.boolean(), projectId: z.string().nullable(), otlpHttpEndpoint: z.string().nullable() }) },
      },
    },
    async (req) => {
      const authenticated = auth.isAdmin(req);
      let projectId: string | null = null;
      if (authenticated) {
        const projects = await auth.listProjects();
        projectId = (projects.find((p) => p.id === 'default') ?? projects[0])?.id ?? null;
      }
      return { authenticated, adminTokenRequired: auth.adminTokenRequired, projectId, otlpHttpEndpoint };
    },
  );

  app.post(
    '/session',
    {
      schema: {
        summary: 'Sign in with SPANLENS_ADMIN_TOKEN; sets a signed, HTTP-only session cookie',
        body: z.strictObject({ token: z.string().min(1).max(1000) }),
        response: { 204: z.null(), 400: errorResponse, 401: errorResponse },
      },
    },
    async (req, reply) => {
      if (!auth.adminTokenRequired) throw new ApiError('invalid_request', 'token: no SPANLENS_ADMIN_TOKEN is set; the dashboard is open to loopback clients');
      if (!auth.checkToken(req.body.token)) throw new ApiError('unauthenticated', 'token: wrong admin token');
      auth.startSession(reply, req.protocol === 'https');
      return reply.code(204).send(null);
    },
  );

  app.delete('/session', { schema: { summary: 'Sign out', response: { 204: z.null() } } }, async (_req, reply) => {
    auth.endSession(reply);
    return reply.code(204).send(null);
  });
};

/** Projects and API keys, managed from the dashboard. */
export const adminRoutes: FastifyPluginAsyncZod<{ storage: Storage; keys: KeyCache; auth: Authenticator }> = async (app, opts) => {
  app.get(
    '/projects',
    {
      schema: {
        summary: 'Projects this caller can see: all of them for the dashboard, its own for a key',
        response: { 200: z.object({ projects: z.array(z.object({ id: z.string(), name: z.string() })) }), 401: errorResponse },
      },
    },
    async (req) => {
      const all = await opts.auth.listProjects();
      return { projects: req.caller === 'admin' ? all : all.filter((p) => p.id === req.projectId) };
    },
  );

  app.get(
    '/keys',
    {
      schema: { summary: "The project's API keys (never the keys themselves)", response: { 200: z.object({ keys: z.array(keyInfo) }), 401: errorResponse, 403: errorResponse } },
      preHandler: async (req) => requireAdmin(req),
    },
    async (req) => ({ keys: await listApiKeys(opts.storage, req.projectId) }),
  );

  app.post(
    '/keys',
    {
      schema: {
        summary: 'Create an API key; the key is returned only in this response',
        body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
        response: { 201: keyInfo.omit({ revoked: true }).extend({ key: z.string() }), 400: errorResponse, 401: errorResponse, 403: errorResponse },
      },
      preHandler: async (req) => requireAdmin(req),
    },
    async (req, reply) => {
      const key = generateApiKey();
      await addApiKey(opts.storage, req.projectId, key, req.body.name);
      return reply.code(201).send({ id: keyId(key), key, prefix: key.slice(0, KEY_PREFIX.length + 4), name: req.body.name, createdAt: new Date().toISOString() });
    },
  );

  app.delete(
    '/keys/:id',
    {
      schema: {
        summary: 'Revoke an API key',
        params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id (16 hex digits)') }),
        response: { 204: z.null(), 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse },
      },
      preHandler: async (req) => requireAdmin(req),
    },
    async (req, reply) => {
      if (!(await revokeApiKeyById(opts.storage, req.projectId, req.params.id))) throw new ApiError('not_found', `no key ${req.params.id} in this project`);
      // This process stops accepting it at once; other processes within their cache TTL (30 s).
      opts.keys.invalidate();
      return reply.code(204).send(null);
    },
  );
};

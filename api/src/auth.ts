import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listProjects, type KeyCache, type Project, type Storage } from '@spanlens/clickhouse';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = 'spanlens_session';
const SESSION_MS = 7 * 86_400_000;
const PROJECT_CACHE_MS = 5_000;

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
    /** `key`: a project API key; `admin`: the dashboard (admin token session, or loopback without one). */
    caller: 'key' | 'admin';
  }
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

/** A loopback Host header too, so a DNS-rebinding page cannot pass as a local client. */
function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name ?? '');
}

export interface AuthOptions {
  storage: Storage;
  keys: KeyCache;
  adminToken?: string;
}

/**
 * Who is calling: a project key (always its own project), or the dashboard, which picks a
 * project with `X-Spanlens-Project`. Without an admin token the dashboard is loopback-only.
 */
export class Authenticator {
  private projects: { list: Project[]; expires: number } | null = null;
  /** Cookie-signing secret, derived so the token itself never leaves this process. */
  readonly cookieSecret: string;

  constructor(private readonly opts: AuthOptions) {
    this.cookieSecret = createHmac('sha256', opts.adminToken ?? 'spanlens-no-admin-token')
      .update('spanlens-session-v1')
      .digest('hex');
  }

  get adminTokenRequired(): boolean {
    return this.opts.adminToken !== undefined;
  }

  /** True when the request may act as the dashboard. */
  isAdmin(req: FastifyRequest): boolean {
    if (this.opts.adminToken === undefined) return this.isLocal(req);
    const raw = req.cookies[SESSION_COOKIE];
    if (!raw) return false;
    const { valid, value } = req.unsignCookie(raw);
    return valid && value !== null && Number(value) > Date.now();
  }

  isLocal(req: FastifyRequest): boolean {
    return isLoopbackAddress(req.socket.remoteAddress) && isLoopbackHost(req.headers.host);
  }

  checkToken(token: string): boolean {
    if (this.opts.adminToken === undefined) return false;
    const a = createHmac('sha256', this.cookieSecret).update(token).digest();
    const b = createHmac('sha256', this.cookieSecret).update(this.opts.adminToken).digest();
    return timingSafeEqual(a, b);
  }

  startSession(reply: FastifyReply, secure: boolean): void {
    reply.setCookie(SESSION_COOKIE, String(Date.now() + SESSION_MS), {
      signed: true,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: SESSION_MS / 1000,
      secure,
    });
  }

  endSession(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  async listProjects(): Promise<Project[]> {
    const now = Date.now();
    if (!this.projects || this.projects.expires < now) {
      this.projects = { list: await listProjects(this.opts.storage), expires: now + PROJECT_CACHE_MS };
    }
    return this.projects.list;
  }

  invalidateProjects(): void {
    this.projects = null;
  }

  /** The onRequest hook of every `/api/v1` route but the session ones. */
  async authenticate(req: FastifyRequest): Promise<void> {
    const auth = await this.opts.keys.authenticate(req.headers.authorization);
    if ('projectId' in auth) {
      req.caller = 'key';
      req.projectId = auth.projectId;
      return;
    }
    if (auth.problem === 'invalid') throw new ApiError('unauthenticated', 'invalid or revoked API key');
    // No key at all: only the dashboard may go on.
    if (!this.isAdmin(req)) {
      if (this.opts.adminToken === undefined) {
        throw new ApiError('dashboard_locked', 'without SPANLENS_ADMIN_TOKEN the dashboard answers only loopback clients; send Authorization: Bearer <key>');
      }
      throw new ApiError('unauthenticated', 'missing API key: send Authorization: Bearer <key>, or sign in to the dashboard');
    }
    req.caller = 'admin';
    // A plain link (a download) cannot send the header: ?project= does the same for the dashboard.
    const query = req.query as Record<string, unknown>;
    const fromQuery = typeof query.project === 'string' ? query.project : undefined;
    delete query.project;
    req.projectId = await this.dashboardProject(req.headers['x-spanlens-project'] ?? fromQuery);
  }

  private async dashboardProject(header: string | string[] | undefined): Promise<string> {
    const wanted = Array.isArray(header) ? header[0] : header;
    const projects = await this.listProjects();
    if (wanted) {
      if (!projects.some((p) => p.id === wanted)) throw new ApiError('not_found', `X-Spanlens-Project: no project ${wanted}`);
      return wanted;
    }
    const chosen = projects.find((p) => p.id === 'default') ?? projects[0];
    if (!chosen) throw new ApiError('not_found', 'no project yet: start Spanlens once to create the default one');
    return chosen.id;
  }
}

export function requireAdmin(req: FastifyRequest): void {
  if (req.caller !== 'admin') throw new ApiError('forbidden', 'this route is for the dashboard (admin token session), not project API keys');
}

import type { Storage } from './client.ts';
import { findProjectByKey, hashApiKey } from './projects.ts';

export interface KeyCacheOptions {
  /** How long a known key is trusted before it is checked again (revocation delay). */
  ttlMs?: number;
  /** How long an unknown key is remembered as unknown, so bad keys cost no query each. */
  negativeTtlMs?: number;
  maxEntries?: number;
}

/** Resolves API keys to projects with a small cache, so the ingest path does no per-request query. */
export class KeyCache {
  private readonly entries = new Map<string, { projectId: string | null; expires: number }>();
  private readonly opts: Required<KeyCacheOptions>;

  constructor(
    private readonly storage: Storage,
    options: KeyCacheOptions = {},
  ) {
    this.opts = { ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 10_000, ...options };
  }

  resolve(key: string): Promise<string | null> {
    return this.resolveHashed(key, hashApiKey(key));
  }

  private async resolveHashed(key: string, hash: string): Promise<string | null> {
    // Cache by hash: the raw key is never kept longer than the request.
    const now = Date.now();
    const hit = this.entries.get(hash);
    if (hit && hit.expires > now) return hit.projectId;
    const projectId = await findProjectByKey(this.storage, key);
    if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { projectId, expires: now + (projectId ? this.opts.ttlMs : this.opts.negativeTtlMs) });
    return projectId;
  }

  /**
   * The project of an `Authorization: Bearer <key>` value, or why there is none. Each
   * receiver and the API turn the reason into their own protocol's error.
   */
  async authenticate(header: string | string[] | undefined): Promise<{ projectId: string; keyId: string } | { problem: 'missing' | 'invalid' }> {
    const key = bearerKey(header);
    if (!key) return { problem: 'missing' };
    const hash = hashApiKey(key);
    const projectId = await this.resolveHashed(key, hash);
    // keyId: the first 16 hex digits of the hash, as listApiKeys names keys.
    return projectId ? { projectId, keyId: hash.slice(0, 16) } : { problem: 'invalid' };
  }

  invalidate(): void {
    this.entries.clear();
  }
}

/** The key from `Authorization: Bearer <key>`, or null. */
export function bearerKey(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1]! : null;
}

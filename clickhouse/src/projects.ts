import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Storage } from './client.ts';
import { toIso8601 } from './rows.ts';

export const KEY_PREFIX = 'sl_';

/** A new API key: 32 random bytes, base64url, with a recognisable prefix. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface Project {
  id: string;
  name: string;
}

export async function listProjects(storage: Storage): Promise<Project[]> {
  const rs = await storage.client.query({
    query: 'SELECT id, name FROM projects FINAL ORDER BY created_at',
    format: 'JSONEachRow',
  });
  return rs.json<Project>();
}

export async function createProject(storage: Storage, name: string, id: string = randomUUID()): Promise<Project> {
  await storage.insertRows('projects', [{ id, name }]);
  return { id, name };
}

/** Stores the hash of `key` for `projectId`; the key itself is never stored. */
export async function addApiKey(storage: Storage, projectId: string, key: string, name = 'default'): Promise<void> {
  await storage.insertRows('api_keys', [
    {
      key_hash: hashApiKey(key),
      project_id: projectId,
      key_prefix: key.slice(0, KEY_PREFIX.length + 4),
      name,
      revoked: false,
      version: Date.now(),
    },
  ]);
}

export async function revokeApiKey(storage: Storage, key: string): Promise<void> {
  const hash = hashApiKey(key);
  const rs = await storage.client.query({
    query: 'SELECT project_id, key_prefix, name FROM api_keys FINAL WHERE key_hash = {h:String}',
    query_params: { h: hash },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ project_id: string; key_prefix: string; name: string }>();
  if (!row) return;
  await storage.insertRows('api_keys', [{ key_hash: hash, ...row, revoked: true, version: Date.now() }]);
}

export interface ApiKeyInfo {
  /** The first 16 hex digits of the key's hash: names a key without revealing it. */
  id: string;
  prefix: string;
  name: string;
  createdAt: string;
  revoked: boolean;
}

export const keyId = (key: string): string => hashApiKey(key).slice(0, 16);

export async function listApiKeys(storage: Storage, projectId: string): Promise<ApiKeyInfo[]> {
  const rs = await storage.client.query({
    query: `SELECT substring(key_hash, 1, 16) AS id, key_prefix AS prefix, name, created_at AS createdAt, revoked
            FROM api_keys FINAL WHERE project_id = {p:String} ORDER BY created_at, id`,
    query_params: { p: projectId },
    format: 'JSONEachRow',
  });
  return (await rs.json<ApiKeyInfo>()).map((k) => ({ ...k, createdAt: toIso8601(k.createdAt), revoked: Boolean(k.revoked) }));
}

/** Revokes the project's key with this id; false when the project has no such key. */
export async function revokeApiKeyById(storage: Storage, projectId: string, id: string): Promise<boolean> {
  const rs = await storage.client.query({
    query: `SELECT key_hash, project_id, key_prefix, name, created_at FROM api_keys FINAL
            WHERE project_id = {p:String} AND startsWith(key_hash, {id:String}) LIMIT 1`,
    query_params: { p: projectId, id },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ key_hash: string; project_id: string; key_prefix: string; name: string; created_at: string }>();
  if (!row) return false;
  await storage.insertRows('api_keys', [{ ...row, revoked: true, version: Date.now() }]);
  return true;
}

export async function deleteCustomPrice(storage: Storage, projectId: string, provider: string, model: string): Promise<void> {
  await storage.client.command({
    query: 'DELETE FROM model_prices WHERE project_id = {p:String} AND provider = {provider:String} AND model = {model:String}',
    query_params: { p: projectId, provider, model },
  });
}

/** The project a key belongs to, or null for an unknown or revoked key. */
export async function findProjectByKey(storage: Storage, key: string): Promise<string | null> {
  const rs = await storage.client.query({
    query: 'SELECT project_id FROM api_keys FINAL WHERE key_hash = {h:String} AND NOT revoked',
    query_params: { h: hashApiKey(key) },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ project_id: string }>();
  return row?.project_id ?? null;
}

export interface CustomPrice {
  provider: string;
  model: string;
  input_per_mtok: number;
  output_per_mtok: number;
  cached_input_per_mtok: number | null;
}

export async function setCustomPrice(storage: Storage, projectId: string, price: CustomPrice): Promise<void> {
  await storage.insertRows('model_prices', [{ project_id: projectId, ...price }]);
}

export async function listCustomPrices(storage: Storage): Promise<Array<CustomPrice & { project_id: string }>> {
  const rs = await storage.client.query({
    query: 'SELECT project_id, provider, model, input_per_mtok, output_per_mtok, cached_input_per_mtok FROM model_prices FINAL',
    format: 'JSONEachRow',
  });
  return rs.json();
}

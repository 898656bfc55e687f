import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from './client.ts';
import { loadMigrations, migrate, type Migration } from './migrate.ts';

/**
 * A fresh embedded store in its own temp directory (chDB allows one directory per process),
 * migrated with `migrations` (all of them unless a test wants an earlier schema).
 */
export async function openTestStorage(migrations: Migration[] = loadMigrations()): Promise<Storage & { dataDir: string; destroy(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-test-'));
  const storage = openStorage({ dataDir });
  await migrate(storage, migrations);
  return {
    ...storage,
    dataDir,
    async destroy() {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Before this Outgate migrates an older embedded store forward, it backs the store up (the same online
// backup as `outgate backup`, journal included) into <dataDir>/backups, named with the versions, and
// keeps the last few: going back to the older Outgate is then `outgate restore` of that file.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Errors, OutgateError } from '../../../errors.js';
import { VERSION } from '../../../version.js';
import { backupStore } from './backup.js';
import { storeSchemaVersion, storeTooNew } from './database.js';
import { MIGRATIONS } from './migrations.js';

export const UPGRADE_BACKUPS_DIR = 'backups';
/** Upgrade backups kept; older ones are deleted after a new one is written. */
export const UPGRADE_BACKUPS_KEPT = 3;
const NAME = /^pre-upgrade\.schema-\d+-to-\d+\..+\.db$/;

/**
 * Backs up the store in `dataDir` when this Outgate is about to migrate it; refuses a store that is
 * newer than this Outgate. Returns the backup's path, or null when there is nothing to migrate.
 * A failed backup stops the upgrade: the store is left as it was.
 */
export async function backupBeforeMigration(dataDir: string, now: Date = new Date()): Promise<string | null> {
  const from = storeSchemaVersion(dataDir);
  const to = MIGRATIONS.length;
  if (from === undefined || from === 0 || from === to) return null;
  if (from > to) throw storeTooNew(dataDir, from);
  const dir = join(dataDir, UPGRADE_BACKUPS_DIR);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `pre-upgrade.schema-${from}-to-${to}.outgate-${VERSION}.${stamp}.db`);
  try {
    await backupStore(dataDir, file);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new OutgateError(
      err instanceof OutgateError ? err : Errors.STORE_UNAVAILABLE,
      `The store (schema ${from}) was not migrated to schema ${to}: backing it up first to ${file} failed: ${why}`,
    );
  }
  prune(dir);
  return file;
}

/** Keeps the newest UPGRADE_BACKUPS_KEPT upgrade backups (by modification time); other files are not touched. */
function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((n) => NAME.test(n))
    .map((n) => ({ path: join(dir, n), at: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.at - a.at || (a.path < b.path ? 1 : -1)); // same instant: the later stamp first
  for (const f of files.slice(UPGRADE_BACKUPS_KEPT)) rmSync(f.path, { force: true });
}

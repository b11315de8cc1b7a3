// Backup and restore of the embedded store. A backup is SQLite's online backup of outgate.db plus the
// send journal's sends that snapshot does not hold yet, applied into the copy: one self-contained file
// with every send acknowledged before the backup began. A restore checks a file is an Outgate store with
// an intact audit chain before it replaces anything, and keeps what it replaces.
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { verifyChain } from '../../../app/audit.js';
import { Errors, fail, OutgateError } from '../../../errors.js';
import { allAuditRecords, auditHead } from './audit-repo.js';
import { lockDataDir } from './data-dir-lock.js';
import { DB_FILE, SqliteDb } from './database.js';
import { parseRecord } from './journal-records.js';
import { MIGRATIONS } from './migrations.js';
import { applyBatch } from './send-journal.js';

/** What a verified store file holds: printed by backup and restore, compared by the tests. */
export interface StoreSummary {
  readonly file: string;
  readonly schemaVersion: number;
  readonly auditRecords: number;
  readonly auditHead: string;
  readonly restrictions: number;
  readonly senders: number;
  readonly messages: number;
}

export interface BackupSummary extends StoreSummary {
  /** Sends taken from the journal because the snapshot did not hold them yet. */
  readonly journalSends: number;
  /** Journal lines that were not sends (damage): left out, as the server's recovery does. */
  readonly journalDamaged: number;
}

export interface RestoreSummary extends StoreSummary {
  /** Where the replaced store (database, WAL, journal) was moved; null when there was none. */
  readonly previous: string | null;
}

const JOURNAL = /^sends\.(\d+)\.journal$/;
/** A rotation between the snapshot and reading the journal means the snapshot misses sends: take it again. */
const ATTEMPTS = 3;

/** Online and consistent: the server keeps running and answering while it is taken. */
export async function backupStore(dataDir: string, file: string): Promise<BackupSummary> {
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source)) fail(Errors.NOT_FOUND, `There is no Outgate store in ${dataDir} to back up.`);
  const target = resolve(file);
  const staging = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (let attempt = 1; ; attempt++) {
      const copy = join(staging, DB_FILE);
      rmSync(copy, { force: true });
      const db = new Database(source, { readonly: true, fileMustExist: true });
      try {
        // Whole database in one step: one read snapshot, which never waits for or blocks the writer (WAL).
        await db.backup(copy, { progress: () => 1_000_000_000 });
      } finally {
        db.close();
      }
      const caughtUp = catchUp(staging, dataDir);
      if (caughtUp === 'rotated') {
        if (attempt < ATTEMPTS) continue;
        fail(Errors.STORE_LOCKED, 'The send journal kept rotating while the backup was taken; run the backup again.');
      }
      const summary = verifyStoreFile(copy);
      fsyncFile(copy);
      renameSync(copy, target);
      fsyncFile(dirname(target));
      return { ...summary, file: target, journalSends: caughtUp.sends, journalDamaged: caughtUp.damaged };
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Applies the journal's sends past the snapshot's position to the copy, and points the copy at a fresh
 * journal generation: a restored store starts a new journal file instead of replaying the old one.
 * Returns 'rotated' when the snapshot's journal file is gone (its sends are applied, but after it).
 */
function catchUp(staging: string, dataDir: string): 'rotated' | { sends: number; damaged: number } {
  // Not migrated: a backup keeps the store's own schema version, so the Outgate that wrote it can restore it.
  const db = new SqliteDb(staging, {}, new Database(join(staging, DB_FILE)));
  try {
    const meta = new Map(db.all(db.q.selectFrom('meta').selectAll().where('key', 'in', ['journal_generation', 'journal_offset'])).map((r) => [r.key, r.value]));
    const generation = meta.get('journal_generation') ?? 0;
    const offset = meta.get('journal_offset') ?? 0;
    const journal = join(dataDir, `sends.${generation}.journal`);
    let text = '';
    let sends = 0;
    let damaged = 0;
    if (existsSync(journal)) {
      const content = readFileSync(journal);
      // Up to the last newline: a line still being written was not acknowledged yet.
      const end = content.lastIndexOf(0x0a) + 1;
      for (const line of content.subarray(Math.min(offset, end), end).toString('utf8').split('\n')) {
        if (line === '') continue;
        if (parseRecord(line)) {
          text += `${line}\n`;
          sends++;
        } else damaged++;
      }
    } else if (journalGenerations(dataDir).some((g) => g > generation)) {
      return 'rotated';
    }
    db.tx(() => applyBatch(db, { chunks: [text], next: { generation: generation + 1, offset: 0 } }));
    // One self-contained file: the WAL folded in, and no WAL mode to need one.
    db.raw.pragma('wal_checkpoint(TRUNCATE)');
    db.raw.pragma('journal_mode = DELETE');
    return { sends, damaged };
  } finally {
    db.close();
  }
}

/**
 * Refuses anything but an intact Outgate store this version can open: not SQLite, damaged pages, no
 * Outgate schema, a newer schema, or an audit chain that does not verify. Read-only.
 */
export function verifyStoreFile(file: string, name = file): StoreSummary {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    fail(Errors.BACKUP_INVALID, `${name} cannot be opened: ${(err as Error).message}.`);
  }
  try {
    const check = (): StoreSummary => {
      const version = db.pragma('user_version', { simple: true }) as number;
      const integrity = db.pragma('integrity_check', { simple: true }) as string;
      if (integrity !== 'ok') fail(Errors.BACKUP_INVALID, `${name} is damaged (SQLite integrity check: ${integrity}).`);
      const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
      if (version < 1 || !['meta', 'audit_log', 'audit_head', 'restrictions', 'sending_minutes'].every((t) => tables.has(t))) {
        fail(Errors.BACKUP_INVALID, `${name} is an SQLite database but not an Outgate store.`);
      }
      if (version > MIGRATIONS.length) {
        fail(Errors.BACKUP_INVALID, `${name} was written by a newer Outgate (store schema ${version}; this version knows ${MIGRATIONS.length}): upgrade Outgate first.`);
      }
      const view = new SqliteDb(dirname(file), {}, db);
      const report = verifyChain(allAuditRecords(view), auditHead(view));
      if (!report.ok) fail(Errors.BACKUP_INVALID, `${name}: the audit chain is broken at record ${report.brokenAt}: ${report.reason}.`);
      const one = (sql: string): number => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
      return {
        file,
        schemaVersion: version,
        auditRecords: report.records,
        auditHead: `${auditHead(view).seq}:${report.head}`,
        restrictions: one("SELECT COUNT(*) AS n FROM restrictions WHERE status = 'Restricted'"),
        senders: one('SELECT COUNT(*) AS n FROM (SELECT DISTINCT tenant_id, entity_type, identity FROM sending_minutes)'),
        messages: one('SELECT SUM(messages) AS n FROM sending_minutes'),
      };
    };
    // One read transaction: the chain and its head as of one moment.
    return db.transaction(check).deferred();
  } catch (err) {
    if (err instanceof OutgateError) throw err;
    fail(Errors.BACKUP_INVALID, `${name} cannot be read as an Outgate store: ${(err as Error).message}.`);
  } finally {
    db.close();
  }
}

/**
 * Replaces the store in `dataDir` with `file`, only while no server runs on it and only once the file
 * verifies. The replaced database, WAL and send journal are moved to `before-restore-<stamp>/`.
 */
export function restoreStore(dataDir: string, file: string, stamp: string): RestoreSummary {
  const source = resolve(file);
  if (!existsSync(source)) fail(Errors.NOT_FOUND, `${source} does not exist.`);
  mkdirSync(dataDir, { recursive: true });
  let unlock: () => void;
  try {
    unlock = lockDataDir(dataDir);
  } catch (err) {
    if (err instanceof OutgateError && err.code === Errors.STORE_LOCKED.code) {
      fail(Errors.STORE_LOCKED, `${err.message} Stop it before restoring (systemctl stop outgate); the store was not changed.`);
    }
    throw err;
  }
  try {
    const staging = join(dataDir, `.restore.${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    try {
      const candidate = join(staging, DB_FILE);
      copyFileSync(source, candidate);
      fsyncFile(candidate);
      const summary = verifyStoreFile(candidate, source);
      const previous = setAside(dataDir, stamp);
      renameSync(candidate, join(dataDir, DB_FILE));
      fsyncFile(dataDir);
      return { ...summary, file: join(dataDir, DB_FILE), previous };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  } finally {
    unlock();
  }
}

/** Moves the current store's files (database, WAL, shared memory, journals) into one directory. */
function setAside(dataDir: string, stamp: string): string | null {
  const names = readdirSync(dataDir).filter((n) => n === DB_FILE || n.startsWith(`${DB_FILE}-`) || /^sends\.\d+\.journal/.test(n));
  if (names.length === 0) return null;
  const dir = join(dataDir, `before-restore-${stamp}`);
  mkdirSync(dir);
  for (const n of names) renameSync(join(dataDir, n), join(dir, n));
  return dir;
}

function journalGenerations(dataDir: string): number[] {
  return readdirSync(dataDir).flatMap((n) => {
    const m = JOURNAL.exec(n);
    return m ? [Number(m[1])] : [];
  });
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// The hot path's durability: each admitted send is appended to a journal file (one write(2) per turn of
// the event loop) before Postfix gets its answer, and applied to SQLite in bulk a few times a second.
// A write that returned is in the kernel, so kill -9 loses nothing; with synchronous=full it is also
// fdatasync'ed. On start, what the journal holds past the applied offset is applied first.
//
// Files are sends.<generation>.journal; meta keeps (generation, offset) of what SQLite already has,
// updated in the same transaction as the applied rows, so nothing is applied twice. Pending sends are
// kept as the journal's own text: the applier worker (journal-applier.ts) gets them as written.
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SqliteDb } from './database.js';
import { loadResets, recordSends, sentBeforeReset, type SendRecord } from './enforcement-repo.js';
import { encodeRecords, parseRecords } from './journal-records.js';
import { recoverJournal, type JournalWarn } from './journal-recovery.js';

const ROTATE_BYTES = 32 * 1024 * 1024;

export interface JournalOptions {
  readonly rotateBytes?: number;
  /** Where damage found on start is reported (a torn last line is normal and not reported). */
  readonly warn?: JournalWarn;
}

export interface Position {
  generation: number;
  offset: number;
}

/** Sends appended since the last apply, and the position SQLite records once they are applied. */
export interface PendingBatch {
  readonly chunks: readonly string[];
  readonly next: Position;
}

const SET_META = 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/**
 * Applies a batch inside the caller's transaction, on the main thread or in the applier worker: its
 * sends (less those an admin's window reset made obsolete, read in the same transaction) and the
 * position they reach, so SQLite holds both or neither.
 */
export function applyBatch(db: SqliteDb, batch: PendingBatch): void {
  const resets = loadResets(db);
  recordSends(
    db,
    parseRecords(batch.chunks).filter((r) => !sentBeforeReset(resets, r)),
  );
  writePosition(db, batch.next);
}

export class SendJournal {
  private fd: number;
  private position: Position;
  /** Bytes written to the current file so far. */
  private size: number;
  /** Appended text not yet in SQLite, oldest first, one chunk per append, with the caller's `seq` for it. */
  private pending: Array<{ text: string; bytes: number; seq: number }> = [];
  /** The `seq` of the last append whose sends are in SQLite. */
  private applied = 0;
  /** How many of the oldest chunks are out with the applier; nothing else is applied meanwhile. */
  private inFlight = 0;
  /** A batch whose outcome is not known yet (see batchFailed). */
  private unsettled: PendingBatch | null = null;

  private readonly rotateBytes: number;

  constructor(
    private readonly db: SqliteDb,
    private readonly dir: string,
    private readonly fsync: boolean,
    opts: JournalOptions = {},
  ) {
    this.rotateBytes = opts.rotateBytes ?? ROTATE_BYTES;
    const warn = opts.warn ?? ((fields, message) => process.emitWarning(`${message} ${JSON.stringify(fields)}`));
    this.position = readPosition(db);
    removeOlder(dir, this.position.generation);
    let file = fileOf(dir, this.position.generation);
    let found = recoverJournal(file, this.position.offset, warn);
    if (found.kind === 'behind') {
      // The stored position says SQLite has every send of this generation up to `offset`. Appends only
      // ever extend a file, so a file ending before it (cut short, lost, or swapped for an older copy)
      // holds nothing that is not applied: none of it is replayed. Appending to it would be the loss:
      // new sends would sit below `offset`, where the next start takes them as applied. So, as rotation
      // does, SQLite moves to a fresh generation at offset 0 first, and the short file is kept aside.
      const next: Position = { generation: this.position.generation + 1, offset: 0 };
      const setAside = `${file}.behind`;
      if (existsSync(file)) renameSync(file, setAside);
      warn(
        {
          file,
          size: found.size,
          appliedGeneration: this.position.generation,
          appliedOffset: this.position.offset,
          setAside,
          nextGeneration: next.generation,
        },
        'send journal is shorter than what the store already applied: nothing in it is replayed, a new journal file is started',
      );
      db.tx(() => writePosition(db, next));
      this.position = next;
      file = fileOf(dir, next.generation);
      found = recoverJournal(file, 0, warn);
    }
    if (found.kind === 'behind') throw new Error(`${file}: a journal read from offset 0 cannot be behind`);
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    // Cut a torn last line, so the next append starts on a line of its own.
    if (found.end < fstatSync(this.fd).size) ftruncateSync(this.fd, found.end);
    if (found.bytes > 0) this.pending.push({ text: found.text, bytes: found.bytes, seq: 0 });
    this.size = found.end;
  }

  /**
   * Appends records durably (to the kernel; to disk with fsync). Throws if the write fails. `seq` (never
   * decreasing) is what appliedSeq reports once they are in SQLite.
   */
  append(records: readonly SendRecord[], seq = 0): void {
    if (records.length === 0) return;
    const text = encodeRecords(records);
    const bytes = Buffer.from(text, 'utf8');
    // A full disk can take part of the bytes without an error: that append failed too (the next one
    // overwrites the torn tail, since it writes at the same position).
    const written = writeSync(this.fd, bytes, 0, bytes.length, this.size);
    if (written !== bytes.length) throw new Error(`short write to the send journal (${written} of ${bytes.length} bytes)`);
    if (this.fsync) fdatasyncSync(this.fd);
    this.size += bytes.length;
    this.pending.push({ text, bytes: bytes.length, seq });
  }

  /** Hands out everything pending as one batch, unless a batch is already out. */
  takeBatch(): PendingBatch | undefined {
    if (this.unsettled) this.settle(this.unsettled);
    if (this.inFlight > 0 || this.pending.length === 0) return undefined;
    this.inFlight = this.pending.length;
    let bytes = 0;
    for (const c of this.pending) bytes += c.bytes;
    return {
      chunks: this.pending.map((c) => c.text),
      next: { generation: this.position.generation, offset: this.position.offset + bytes },
    };
  }

  /** The batch is in SQLite (with its position): memory moves on. */
  batchApplied(batch: PendingBatch): void {
    this.applied = Math.max(this.applied, this.pending[this.inFlight - 1]?.seq ?? 0);
    this.pending = this.pending.slice(this.inFlight);
    this.inFlight = 0;
    this.position = batch.next;
  }

  /**
   * The batch's outcome is unknown (the applier failed or died): SQLite's recorded position says whether
   * it committed, so it is neither lost nor applied twice.
   */
  batchFailed(batch: PendingBatch): void {
    this.unsettled = batch;
    try {
      this.settle(batch);
    } catch {
      // The position cannot be read now; the next takeBatch() tries again.
    }
  }

  private settle(batch: PendingBatch): void {
    const stored = readPosition(this.db);
    if (stored.generation === batch.next.generation && stored.offset === batch.next.offset) this.batchApplied(batch);
    else this.inFlight = 0;
    this.unsettled = null;
  }

  /**
   * Applies what is pending to SQLite on this thread in one transaction (run by `commit`), which also
   * records the new position; memory moves on only once it committed. Does nothing while a batch is
   * out with the applier.
   */
  applyPending(commit: (fn: () => void) => void): void {
    const batch = this.takeBatch();
    if (!batch) return;
    try {
      commit(() => applyBatch(this.db, batch));
    } catch (err) {
      this.inFlight = 0;
      throw err;
    }
    this.batchApplied(batch);
  }

  /** The `seq` of the latest append whose sends are in SQLite (0 before any). */
  get appliedSeq(): number {
    return this.applied;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Starts a new file once everything in the current one is applied and it has grown large. */
  rotateIfLarge(commit: (fn: () => void) => void): void {
    if (this.pending.length > 0 || this.size < this.rotateBytes) return;
    const next: Position = { generation: this.position.generation + 1, offset: 0 };
    commit(() => writePosition(this.db, next));
    const old = this.position.generation;
    closeSync(this.fd);
    this.position = next;
    this.fd = openSync(fileOf(this.dir, next.generation), 'w+');
    this.size = 0;
    rmSync(fileOf(this.dir, old), { force: true });
  }

  close(): void {
    closeSync(this.fd);
  }
}

const fileOf = (dir: string, generation: number): string => join(dir, `sends.${generation}.journal`);

function removeOlder(dir: string, generation: number): void {
  for (const name of readdirSync(dir)) {
    const m = /^sends\.(\d+)\.journal$/.exec(name);
    if (m && Number(m[1]) < generation) rmSync(join(dir, name), { force: true });
  }
}

function readPosition(db: SqliteDb): Position {
  const rows = db.all(db.q.selectFrom('meta').selectAll().where('key', 'in', ['journal_generation', 'journal_offset']));
  const get = (k: string): number => rows.find((r) => r.key === k)?.value ?? 0;
  return { generation: get('journal_generation'), offset: get('journal_offset') };
}

function writePosition(db: SqliteDb, p: Position): void {
  const set = db.prepare(SET_META);
  set.run('journal_generation', p.generation);
  set.run('journal_offset', p.offset);
}

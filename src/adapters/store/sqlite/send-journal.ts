// The hot path's durability: each admitted send is appended to a journal file (one write(2) per turn of
// the event loop) before Postfix gets its answer, and applied to SQLite in bulk a few times a second.
// A write that returned is in the kernel, so kill -9 loses nothing; with synchronous=full it is also
// fdatasync'ed. On start, what the journal holds past the applied offset is applied first.
//
// Files are sends.<generation>.journal; meta keeps (generation, offset) of what SQLite already has,
// updated in the same transaction as the applied rows, so nothing is applied twice.
import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SendRecord } from '../../../app/ports.js';
import type { SqliteDb } from './database.js';
import { recordSends } from './enforcement-repo.js';

const ROTATE_BYTES = 32 * 1024 * 1024;


interface Position {
  generation: number;
  offset: number;
}

export class SendJournal {
  private fd: number;
  private position: Position;
  /** Bytes written to the current file so far. */
  private size: number;
  private unapplied: SendRecord[] = [];
  private unappliedBytes = 0;

  constructor(
    private readonly db: SqliteDb,
    private readonly dir: string,
    private readonly fsync: boolean,
    private readonly rotateBytes = ROTATE_BYTES,
  ) {
    this.position = readPosition(db);
    removeOlder(dir, this.position.generation);
    const file = fileOf(dir, this.position.generation);
    this.fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    this.size = this.recover(file);
  }

  /** Appends records durably (to the kernel; to disk with fsync). Throws if the write fails. */
  append(records: readonly SendRecord[]): void {
    if (records.length === 0) return;
    const text = records.map((r) => `${JSON.stringify([r.at, r.sender.tenantId, r.sender.type, r.sender.identity, r.counts.external, r.counts.internal, r.counts.messages])}\n`).join('');
    const bytes = Buffer.from(text, 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.size);
    if (this.fsync) fdatasyncSync(this.fd);
    this.size += bytes.length;
    this.unapplied.push(...records);
    this.unappliedBytes += bytes.length;
  }

  /**
   * Applies what was appended since the last call to SQLite in one transaction (run by `commit`), which
   * also records the new position; memory moves on only once it committed. `skip` drops records an
   * admin's window reset made obsolete.
   */
  applyPending(commit: (fn: () => void) => void, skip: (r: SendRecord) => boolean): void {
    if (this.unapplied.length === 0) return;
    const records = this.unapplied;
    const bytes = this.unappliedBytes;
    const next: Position = { generation: this.position.generation, offset: this.position.offset + bytes };
    commit(() => {
      recordSends(this.db, records.filter((r) => !skip(r)));
      writePosition(this.db, next);
    });
    this.position = next;
    this.unapplied = this.unapplied.slice(records.length);
    this.unappliedBytes -= bytes;
  }

  get pendingCount(): number {
    return this.unapplied.length;
  }

  /** Starts a new file once everything in the current one is applied and it has grown large. */
  rotateIfLarge(commit: (fn: () => void) => void): void {
    if (this.unapplied.length > 0 || this.size < this.rotateBytes) return;
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

  /** Re-reads records past the applied offset into `unapplied`; cuts a torn last line. Returns the file size. */
  private recover(file: string): number {
    const content = readFileSync(file);
    const end = content.lastIndexOf(0x0a) + 1;
    if (end < content.length) ftruncateSync(this.fd, end);
    const tail = content.subarray(Math.min(this.position.offset, end), end).toString('utf8');
    for (const line of tail.split('\n')) {
      if (line === '') continue;
      const [at, tenantId, type, identity, external, internal, messages] = JSON.parse(line) as [number, string, 'Mailbox' | 'Connector', string, number, number, number];
      this.unapplied.push({ at, sender: { tenantId, type, identity }, counts: { external, internal, messages } });
    }
    this.unappliedBytes = end - Math.min(this.position.offset, end);
    return end;
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
  for (const [key, value] of [['journal_generation', p.generation], ['journal_offset', p.offset]] as const) {
    db.run(db.q.insertInto('meta').values({ key, value }).onConflict((c) => c.column('key').doUpdateSet({ value })));
  }
}

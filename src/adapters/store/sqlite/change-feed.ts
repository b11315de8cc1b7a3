// Follows commits made by other processes on the same store (the CLI acting locally): SQLite's
// PRAGMA data_version changes only for other connections' commits, so one cheap read per request tells
// whether to look at change_log at all.
import type { Change } from '../../../app/ports.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import type { SqliteDb } from './database.js';

interface ChangeRow {
  seq: number;
  kind: string;
  tenant_id: string;
  entity_type: string | null;
  identity: string | null;
}

export class ChangeFeed {
  private version: number;
  private seq: number;
  private readonly versionStmt;
  /**
   * Prepared once, not built per poll: the journal applier's commits move data_version too, so under
   * traffic this runs at every poll (every 5 ms), mostly to find nothing.
   */
  private readonly newRows;
  /** Rows this process wrote: its caches already reflect them, so poll() must not apply them again. */
  private readonly own = new Set<number>();

  constructor(private readonly db: SqliteDb) {
    this.versionStmt = db.raw.prepare('PRAGMA data_version').pluck();
    this.newRows = db.raw.prepare<[number], ChangeRow>('SELECT seq, kind, tenant_id, entity_type, identity FROM change_log WHERE seq > ? ORDER BY seq');
    this.version = this.versionStmt.get() as number;
    this.seq = (db.raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM change_log').pluck().get() as number) ?? 0;
  }

  /** Records a change for the other processes; call inside the writing transaction. */
  note(change: Change, at: number): void {
    const s = 'sender' in change ? change.sender : undefined;
    const res = this.db.run(
      this.db.q.insertInto('change_log').values({
        kind: change.kind,
        tenant_id: s?.tenantId ?? '',
        entity_type: s?.type ?? null,
        identity: s?.identity ?? null,
        at,
      }),
    );
    this.own.add(Number(res.lastInsertRowid));
  }

  poll(): Change[] {
    const v = this.versionStmt.get() as number;
    if (v === this.version) return [];
    const rows = this.newRows.all(this.seq);
    // Only once the rows are read: after a failed read the next poll tries again, no change is lost.
    this.version = v;
    if (rows.length > 0) this.seq = rows[rows.length - 1]!.seq;
    return rows.filter((r) => !this.own.delete(r.seq)).map((r): Change => {
      if (r.kind === 'directory') return { kind: 'directory' };
      const sender: SenderRef = { tenantId: r.tenant_id, type: r.entity_type as EntityType, identity: r.identity ?? '' };
      return r.kind === 'restriction' ? { kind: 'restriction', sender } : { kind: 'windows-reset', sender };
    });
  }
}

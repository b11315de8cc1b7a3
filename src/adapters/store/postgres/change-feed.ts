// The change feed on PostgreSQL: every change is a change_log row written in its own transaction, and
// NOTIFY (delivered at commit) tells listening nodes to read the rows after the last seq they saw.
// NOTIFY is at-most-once, so each node also reads on every (re)connect and on a slow poll: a missed
// signal delays a change by at most RESYNC_MS, never loses it.
import { sql } from 'kysely';
import type pg from 'pg';
import type { Change } from '../../../app/ports.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import { Errors, OutgateError } from '../../../errors.js';
import { LOCK_NS, LOCKS, type PgDb, type Tx } from './database.js';

/** meta key: the highest change_log seq pruned; a node whose place is below it missed changes. */
const PRUNED_THROUGH = 'change_log_pruned_through';

export const CHANNEL = 'outgate_changes';
/** The slow poll that bounds how late a change is when its signal was lost. */
const RESYNC_MS = 5_000;
const RECONNECT_MS = 1_000;

export class PgChangeFeed {
  /** The last change_log row this node has read. */
  private seq = 0;
  /** Rows this process wrote: its caches already reflect them, so reading them back must not repeat them. */
  private readonly own = new Set<number>();
  private client: pg.Client | null = null;
  private timers: NodeJS.Timeout[] = [];
  private reading: Promise<void> | null = null;
  private again = false;
  private closed = false;
  /** Set while other nodes' changes cannot be read; decisions fail closed meanwhile (staleness). */
  private failure: OutgateError | undefined;

  constructor(private readonly db: PgDb) {}

  /** Starts from the changes already made: a node that opens now has nothing of the past to follow. */
  async open(): Promise<void> {
    this.seq = (await this.db.q.selectFrom('change_log').select((eb) => eb.fn.max('seq').as('s')).executeTakeFirst())?.s ?? 0;
  }

  /**
   * Records a change for the other nodes; call inside the writing transaction, after its other locks.
   * The feed lock makes seq order commit order: a reader that has seen seq n can never later find a
   * smaller one committed.
   */
  async note(trx: Tx, change: Change, at: number): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(${LOCK_NS}, ${LOCKS.feed})`.execute(trx);
    const s = 'sender' in change ? change.sender : undefined;
    const row = await trx
      .insertInto('change_log')
      .values({ kind: change.kind, tenant_id: s?.tenantId ?? '', entity_type: s?.type ?? null, identity: s?.identity ?? null, at })
      .returning('seq')
      .executeTakeFirstOrThrow();
    this.own.add(row.seq!);
    await sql`SELECT pg_notify(${CHANNEL}, '')`.execute(trx);
  }

  /** Listens on a dedicated connection (reconnecting), reading what is new on each signal, connect and poll. */
  listen(deliver: (changes: Change[]) => void, onError: (what: string, err: unknown) => void): void {
    const read = (): void => {
      if (this.reading) {
        this.again = true;
        return;
      }
      this.reading = this.readNew()
        .then(
          (changes) => {
            this.failure = undefined;
            deliver(changes);
          },
          (err: unknown) => {
            this.failure = new OutgateError(Errors.STORE_UNAVAILABLE, `Changes made by other nodes cannot be read from PostgreSQL: ${err instanceof Error ? err.message : String(err)}.`);
            onError('reading changes made by other nodes failed (decisions fail closed until it works)', err);
          },
        )
        .finally(() => {
          this.reading = null;
          if (this.again && !this.closed) {
            this.again = false;
            read();
          }
        });
    };
    const connect = (): void => {
      if (this.closed) return;
      const c = this.db.client();
      this.client = c;
      let dropped = false;
      const drop = (err: unknown): void => {
        if (dropped) return;
        dropped = true;
        if (this.closed) return;
        onError('the change feed connection to PostgreSQL dropped (reconnecting)', err);
        void c.end().catch(() => undefined);
        // Signals are lost meanwhile: read now, which also finds out at once if PostgreSQL is gone.
        read();
        const t = setTimeout(connect, RECONNECT_MS);
        t.unref();
        this.timers.push(t);
      };
      c.on('notification', read);
      c.on('error', drop);
      c.on('end', () => drop(new Error('connection ended')));
      c.connect()
        .then(() => c.query(`LISTEN ${CHANNEL}`))
        // What was committed while this node was not listening.
        .then(read, drop);
    };
    connect();
    const poll = setInterval(read, RESYNC_MS);
    poll.unref();
    this.timers.push(poll);
  }

  /**
   * While other nodes' changes cannot be read, the failure: a decision could miss a restriction or an
   * unblock made elsewhere, so it fails as on a store failure (policy.failMode).
   */
  staleness(): Error | undefined {
    return this.failure;
  }

  private async readNew(): Promise<Change[]> {
    const from = this.seq;
    const rows = await this.db.q.selectFrom('change_log').selectAll().where('seq', '>', from).orderBy('seq').execute();
    const pruned = (await this.db.q.selectFrom('meta').select('value').where('key', '=', PRUNED_THROUGH).executeTakeFirst())?.value ?? 0;
    if (rows.length > 0) this.seq = rows[rows.length - 1]!.seq!;
    // Rows this node never read were pruned (it was cut off for longer than they are kept): what they
    // said is lost, so everything cached is read again.
    const missed: Change[] = pruned > from ? [{ kind: 'resync' }] : [];
    if (pruned > this.seq) this.seq = pruned;
    const changes = rows
      .filter((r) => !this.own.delete(r.seq!))
      .map((r): Change => {
        if (r.kind === 'directory') return { kind: 'directory' };
        const sender: SenderRef = { tenantId: r.tenant_id, type: r.entity_type as EntityType, identity: r.identity ?? '' };
        return r.kind === 'restriction' ? { kind: 'restriction', sender } : { kind: 'windows-reset', sender };
      });
    return missed.concat(changes);
  }

  /** Old rows: every node has read them long ago (a node away longer resyncs from its restart). */
  async prune(trx: Tx, beforeAt: number): Promise<void> {
    const gone = await trx.deleteFrom('change_log').where('at', '<', beforeAt).returning('seq').execute();
    if (gone.length === 0) return;
    const through = gone.reduce((m, r) => Math.max(m, r.seq!), 0);
    await sql`INSERT INTO meta (key, value) VALUES (${PRUNED_THROUGH}, ${through})
      ON CONFLICT (key) DO UPDATE SET value = GREATEST(meta.value, excluded.value)`.execute(trx);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.reading;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}

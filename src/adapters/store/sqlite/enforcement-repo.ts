// Sending windows, restrictions with their history, and domain events in the embedded store.
import type { HourlyCount, RestrictionPageQuery, RestrictionQuery, RestrictionView } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import type { Restriction, Transition } from '../../../domain/restriction.js';
import { minuteOf, type Counts, type MinuteBucket, type WindowTotals } from '../../../domain/rolling-window.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import { auditEntryOf } from '../../../app/audit.js';
import { appendAudit } from './audit-repo.js';
import type { SqliteDb } from './database.js';
import { historyRow, restrictionRow, toHistoryEntry, toRestriction } from '../sql/rows.js';
import { historyOfQuery, restrictionPageQueries, restrictionsQuery } from '../sql/queries.js';

const UPSERT_SENDING_MINUTE = `INSERT INTO sending_minutes (minute, tenant_id, entity_type, identity, external, internal, messages)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO UPDATE SET external = external + excluded.external, internal = internal + excluded.internal,
    messages = messages + excluded.messages`;

/** An admitted message's recipients, as journaled and applied to the minute buckets. */
export interface SendRecord {
  readonly sender: SenderRef;
  readonly at: number;
  readonly counts: Counts;
}

/**
 * Adds the sends to their minute buckets. A batch from the journal holds many sends of one sender in
 * one minute (a busy sender, a few thousand sends per apply): summed here first, they cost one upsert
 * per bucket, not one per send, which is most of the applier's time and of the pages a checkpoint copies.
 */
export function recordSends(db: SqliteDb, records: readonly SendRecord[]): void {
  const upsert = db.prepare(UPSERT_SENDING_MINUTE);
  if (records.length === 1) {
    const { sender: s, at, counts: c } = records[0]!;
    upsert.run(minuteOf(at), s.tenantId, s.type, s.identity, c.external, c.internal, c.messages);
    return;
  }
  const buckets = new Map<string, { sender: SenderRef; minute: number; external: number; internal: number; messages: number }>();
  for (const { sender: s, at, counts: c } of records) {
    const minute = minuteOf(at);
    const key = `${minute}\u0000${s.tenantId}\u0000${s.type}\u0000${s.identity}`;
    const b = buckets.get(key);
    if (b === undefined) buckets.set(key, { sender: s, minute, external: c.external, internal: c.internal, messages: c.messages });
    else {
      b.external += c.external;
      b.internal += c.internal;
      b.messages += c.messages;
    }
  }
  for (const { sender: s, minute, external, internal, messages } of buckets.values()) upsert.run(minute, s.tenantId, s.type, s.identity, external, internal, messages);
}

const refKey = (tenantId: string, type: string, identity: string): string => `${tenantId}\u0000${type}\u0000${identity}`;

/** The buckets of the day window, less what came before each sender's last window reset. */
export function loadWindows(db: SqliteDb, sinceMinute: number): Array<{ sender: SenderRef; bucket: MinuteBucket }> {
  const resets = new Map(
    db.all(db.q.selectFrom('window_resets').selectAll().where('minute', '>', sinceMinute)).map((r) => [refKey(r.tenant_id, r.entity_type, r.identity), r]),
  );
  const rows = db.all(db.q.selectFrom('sending_minutes').selectAll().where('minute', '>', sinceMinute).orderBy('minute'));
  const out: Array<{ sender: SenderRef; bucket: MinuteBucket }> = [];
  for (const r of rows) {
    const reset = resets.get(refKey(r.tenant_id, r.entity_type, r.identity));
    if (reset && r.minute < reset.minute) continue;
    const before = reset && r.minute === reset.minute ? reset : { external: 0, internal: 0, messages: 0 };
    const bucket = { minute: r.minute, external: r.external - before.external, internal: r.internal - before.internal, messages: r.messages - before.messages };
    if (bucket.external + bucket.internal + bucket.messages === 0) continue;
    out.push({ sender: { tenantId: r.tenant_id, type: r.entity_type as EntityType, identity: r.identity }, bucket });
  }
  return out;
}

const SENDER_MINUTES = `SELECT minute, external, internal, messages FROM sending_minutes
  WHERE tenant_id = ? AND entity_type = ? AND identity = ? AND minute > ? ORDER BY minute`;
const SENDER_RESET = `SELECT minute, external, internal, messages FROM window_resets
  WHERE tenant_id = ? AND entity_type = ? AND identity = ? AND minute > ?`;

/** One sender's buckets of the day window, as loadWindows() gives them (two point queries). */
export function loadSenderWindows(db: SqliteDb, s: SenderRef, sinceMinute: number): MinuteBucket[] {
  const rows = db.prepare(SENDER_MINUTES).all(s.tenantId, s.type, s.identity, sinceMinute) as MinuteBucket[];
  if (rows.length === 0) return rows;
  const reset = db.prepare(SENDER_RESET).get(s.tenantId, s.type, s.identity, sinceMinute) as MinuteBucket | undefined;
  if (!reset) return rows;
  const out: MinuteBucket[] = [];
  for (const r of rows) {
    if (r.minute < reset.minute) continue;
    const b = r.minute === reset.minute ? { minute: r.minute, external: r.external - reset.external, internal: r.internal - reset.internal, messages: r.messages - reset.messages } : r;
    if (b.external + b.internal + b.messages > 0) out.push(b);
  }
  return out;
}

// Every sender's totals in one pass, with the windows' rules (rolling-window.ts): the hour is the
// minutes after now-60, the day after now-1440, and a bucket's messages count in the last minute as if
// sent at its last second. Senders with a reset (few) are summed from loadSenderWindows() instead.
const ACTIVE_SENDERS = `SELECT tenant_id, entity_type, identity,
    SUM(CASE WHEN minute > @hour THEN external ELSE 0 END),
    SUM(CASE WHEN minute > @hour THEN internal ELSE 0 END),
    SUM(external),
    SUM(internal),
    SUM(CASE WHEN minute >= @lastMinute THEN messages ELSE 0 END)
  FROM sending_minutes WHERE minute > @day
  GROUP BY tenant_id, entity_type, identity
  HAVING SUM(external + internal + messages) > 0`;

// The senders with at least @min recipients in the last hour: only that hour's rows are read (the
// primary key starts with the minute), so the unusual-volume sweep each minute costs what the last
// hour sent, not the whole day's senders. A reset is not subtracted here: candidates are then summed
// exactly, and it can only lower them.
const BUSY_SENDERS = `SELECT tenant_id, entity_type, identity
  FROM sending_minutes WHERE minute > @hour
  GROUP BY tenant_id, entity_type, identity
  HAVING SUM(external + internal) >= @min`;

/**
 * The totals at `now` of every sender with something in its windows in the store; with `minLastHour`
 * above 0, only the senders with at least that many recipients in the last hour.
 */
export function activeSenders(db: SqliteDb, now: number, minLastHour = 0): Array<{ sender: SenderRef; totals: WindowTotals }> {
  const minute = minuteOf(now);
  const bounds = { hour: minute - 60, day: minute - 1440, lastMinute: Math.ceil((Math.floor(now / 1000) - 58) / 60) - 1 };
  const out: Array<{ sender: SenderRef; totals: WindowTotals }> = [];
  if (minLastHour > 0) {
    const busy = db.prepare(BUSY_SENDERS).raw(true).all({ hour: bounds.hour, min: minLastHour }) as Array<[string, EntityType, string]>;
    for (const [tenantId, type, identity] of busy) {
      const sender = { tenantId, type, identity };
      const totals = summed(loadSenderWindows(db, sender, bounds.day), bounds);
      if (totals && totals.externalLastHour + totals.internalLastHour >= minLastHour) out.push({ sender, totals });
    }
    return out;
  }
  const reset = new Set(
    db.all(db.q.selectFrom('window_resets').select(['tenant_id', 'entity_type', 'identity']).where('minute', '>', bounds.day)).map((r) => refKey(r.tenant_id, r.entity_type, r.identity)),
  );
  const rows = db.prepare(ACTIVE_SENDERS).raw(true).all(bounds) as Array<[string, EntityType, string, number, number, number, number, number]>;
  for (const [tenantId, type, identity, externalLastHour, internalLastHour, externalLast24h, internalLast24h, messagesLastMinute] of rows) {
    const sender = { tenantId, type, identity };
    if (!reset.has(refKey(tenantId, type, identity))) {
      const recipientsLast24h = externalLast24h + internalLast24h;
      out.push({ sender, totals: { externalLastHour, internalLastHour, externalLast24h, internalLast24h, recipientsLast24h, messagesLastMinute } });
      continue;
    }
    const totals = summed(loadSenderWindows(db, sender, bounds.day), bounds);
    if (totals) out.push({ sender, totals });
  }
  return out;
}

/** One sender's totals from its buckets (undefined when it has none), with the windows' rules above. */
function summed(buckets: readonly MinuteBucket[], bounds: { hour: number; lastMinute: number }): WindowTotals | undefined {
  if (buckets.length === 0) return undefined;
  const t = { externalLastHour: 0, internalLastHour: 0, externalLast24h: 0, internalLast24h: 0, recipientsLast24h: 0, messagesLastMinute: 0 };
  for (const b of buckets) {
    if (b.minute > bounds.hour) {
      t.externalLastHour += b.external;
      t.internalLastHour += b.internal;
    }
    t.externalLast24h += b.external;
    t.internalLast24h += b.internal;
    t.recipientsLast24h += b.external + b.internal;
    if (b.minute >= bounds.lastMinute) t.messagesLastMinute += b.messages;
  }
  return t;
}

/** When each sender's windows were last reset (ms), by sender key. */
export function loadResets(db: SqliteDb): Map<string, number> {
  return new Map(db.all(db.q.selectFrom('window_resets').select(['tenant_id', 'entity_type', 'identity', 'at'])).map((r) => [refKey(r.tenant_id, r.entity_type, r.identity), r.at]));
}

/** A send made before its sender's last window reset (an unblock): no longer counted. */
export function sentBeforeReset(resets: ReadonlyMap<string, number>, r: SendRecord): boolean {
  return (resets.get(refKey(r.sender.tenantId, r.sender.type, r.sender.identity)) ?? -Infinity) > r.at;
}

/** Restarts a sender's windows at `at`, remembering what its current minute held before. */
export function resetWindows(db: SqliteDb, s: SenderRef, at: number): void {
  const minute = minuteOf(at);
  const current = db.get(
    db.q.selectFrom('sending_minutes').selectAll().where('minute', '=', minute).where('tenant_id', '=', s.tenantId).where('entity_type', '=', s.type).where('identity', '=', s.identity),
  );
  const row = { tenant_id: s.tenantId, entity_type: s.type, identity: s.identity, at, minute, external: current?.external ?? 0, internal: current?.internal ?? 0, messages: current?.messages ?? 0 };
  const { tenant_id: _t, entity_type: _e, identity: _i, ...update } = row;
  db.run(db.q.insertInto('window_resets').values(row).onConflict((c) => c.columns(['tenant_id', 'entity_type', 'identity']).doUpdateSet(update)));
}

/**
 * Housekeeping: minute buckets that left the day window are rolled up into hours (kept `keepHours`
 * for reports), then dropped; resets older than the day window no longer matter.
 */
export function pruneWindows(db: SqliteDb, beforeMinute: number, beforeHour: number): void {
  db.prepare(
    `INSERT INTO sending_hours (tenant_id, entity_type, identity, hour, external, internal, messages)
     SELECT tenant_id, entity_type, identity, minute / 60, SUM(external), SUM(internal), SUM(messages)
     FROM sending_minutes WHERE minute < ? GROUP BY tenant_id, entity_type, identity, minute / 60
     ON CONFLICT DO UPDATE SET external = external + excluded.external, internal = internal + excluded.internal,
       messages = messages + excluded.messages`,
  ).run(beforeMinute);
  db.run(db.q.deleteFrom('sending_minutes').where('minute', '<', beforeMinute));
  db.run(db.q.deleteFrom('sending_hours').where('hour', '<', beforeHour));
  db.run(db.q.deleteFrom('window_resets').where('minute', '<', beforeMinute));
}

export function applyTransition(db: SqliteDb, t: Transition): void {
  const row = restrictionRow(t.restriction);
  const { tenant_id: _t, entity_type: _e, identity: _i, ...update } = row;
  db.run(db.q.insertInto('restrictions').values(row).onConflict((c) => c.columns(['tenant_id', 'entity_type', 'identity']).doUpdateSet(update)));
  db.run(db.q.insertInto('restriction_history').values(historyRow(t)));
}

export function getRestriction(db: SqliteDb, s: SenderRef): Restriction | undefined {
  const row = db.get(
    db.q.selectFrom('restrictions').selectAll().where('tenant_id', '=', s.tenantId).where('entity_type', '=', s.type).where('identity', '=', s.identity),
  );
  return row ? toRestriction(row) : undefined;
}

export function listRestrictions(db: SqliteDb, q: RestrictionQuery): RestrictionView[] {
  const rows = db.all(restrictionsQuery(db.q, q));
  return rows.map((row) => {
    const history = db
      .all(
        db.q
          .selectFrom('restriction_history')
          .selectAll()
          .where('tenant_id', '=', row.tenant_id)
          .where('entity_type', '=', row.entity_type)
          .where('identity', '=', row.identity)
          .orderBy('at')
          .orderBy('id'),
      )
      .map(toHistoryEntry);
    return { ...toRestriction(row), history };
  });
}

/** One page of the Restricted entities list, with its history, and how many match. */
export function pageRestrictions(db: SqliteDb, p: RestrictionPageQuery): { total: number; items: RestrictionView[] } {
  const { items, total } = restrictionPageQueries(db.q, p);
  const rows = db.all(items);
  const n = Number(db.get(total)?.n ?? 0);
  if (rows.length === 0) return { total: n, items: [] };
  const history = groupHistory(db.all(historyOfQuery(db.q, rows)));
  return { total: n, items: rows.map((row) => ({ ...toRestriction(row), history: (history.get(refKey(row.tenant_id, row.entity_type, row.identity)) ?? []).map(toHistoryEntry) })) };
}

function groupHistory<H extends { tenant_id: string; entity_type: string; identity: string }>(rows: readonly H[]): Map<string, H[]> {
  const by = new Map<string, H[]>();
  for (const h of rows) {
    const k = refKey(h.tenant_id, h.entity_type, h.identity);
    let list = by.get(k);
    if (!list) by.set(k, (list = []));
    list.push(h);
  }
  return by;
}

export function listExpired(db: SqliteDb, now: number): Restriction[] {
  return db
    .all(db.q.selectFrom('restrictions').selectAll().where('status', '=', 'Restricted').where('expires_at', 'is not', null).where('expires_at', '<=', now))
    .map(toRestriction);
}

export function recordEvents(db: SqliteDb, events: readonly DomainEvent[]): void {
  appendAudit(db, events.map(auditEntryOf));
}

/** A sender's recipients and messages per hour since `fromHour` (hours since the epoch), oldest first. */
/** Every sender's hourly counts since `fromHour` (optionally one tenant's), for the policy what-if. */
export function sendingHistoryAll(db: SqliteDb, fromHour: number, tenantId: string | undefined): Array<{ sender: SenderRef; hours: HourlyCount[] }> {
  const tenant = tenantId === undefined ? '' : 'AND tenant_id = ?';
  const args = tenantId === undefined ? [fromHour, fromHour * 60] : [fromHour, tenantId, fromHour * 60, tenantId];
  const rows = db
    .prepare(
      `SELECT tenant_id, entity_type, identity, hour, SUM(external) AS external, SUM(internal) AS internal, SUM(messages) AS messages FROM (
         SELECT tenant_id, entity_type, identity, hour, external, internal, messages FROM sending_hours WHERE hour >= ? ${tenant}
         UNION ALL
         SELECT tenant_id, entity_type, identity, minute / 60 AS hour, external, internal, messages FROM sending_minutes WHERE minute >= ? ${tenant})
       GROUP BY tenant_id, entity_type, identity, hour ORDER BY tenant_id, entity_type, identity, hour`,
    )
    .all(...args) as Array<HourlyCount & { tenant_id: string; entity_type: EntityType; identity: string }>;
  const out: Array<{ sender: SenderRef; hours: HourlyCount[] }> = [];
  for (const r of rows) {
    let last = out[out.length - 1];
    if (!last || last.sender.tenantId !== r.tenant_id || last.sender.type !== r.entity_type || last.sender.identity !== r.identity) {
      last = { sender: { tenantId: r.tenant_id, type: r.entity_type, identity: r.identity }, hours: [] };
      out.push(last);
    }
    last.hours.push({ hour: r.hour, external: r.external, internal: r.internal, messages: r.messages });
  }
  return out;
}

export function sendingHistory(db: SqliteDb, s: SenderRef, fromHour: number): HourlyCount[] {
  return db
    .prepare(
      `SELECT hour, SUM(external) AS external, SUM(internal) AS internal, SUM(messages) AS messages FROM (
         SELECT hour, external, internal, messages FROM sending_hours
           WHERE tenant_id = ? AND entity_type = ? AND identity = ? AND hour >= ?
         UNION ALL
         SELECT minute / 60 AS hour, external, internal, messages FROM sending_minutes
           WHERE tenant_id = ? AND entity_type = ? AND identity = ? AND minute >= ?)
       GROUP BY hour ORDER BY hour`,
    )
    .all(s.tenantId, s.type, s.identity, fromHour, s.tenantId, s.type, s.identity, fromHour * 60) as HourlyCount[];
}

// Restrictions with their history, sending history and window resets on PostgreSQL.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { HourlyCount, RestrictionPageQuery, RestrictionQuery, RestrictionView } from '../../../app/ports.js';
import type { Restriction, Transition } from '../../../domain/restriction.js';
import { minuteOf, type Counts, type MinuteBucket } from '../../../domain/rolling-window.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import { historyOfQuery, restrictionPageQueries, restrictionsQuery } from '../sql/queries.js';
import { historyRow, restrictionRow, toHistoryEntry, toRestriction } from '../sql/rows.js';
import type { DB, RestrictionsTable } from '../sql/schema.js';
import { LOCK_NS, LOCKS, SENDER_LOCK_NS, type Tx } from './database.js';

/** An admitted message's recipients, written to its minute bucket. */
export interface SendRecord {
  readonly sender: SenderRef;
  readonly at: number;
  readonly counts: Counts;
}

/**
 * Serializes every transition of one sender across nodes, for the rest of the transaction: a row lock
 * cannot, when there is no row yet (two nodes restricting a sender for the first time).
 */
export async function lockSender(trx: Tx, s: SenderRef): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${SENDER_LOCK_NS}, hashtext(${JSON.stringify([s.tenantId, s.type, s.identity])}))`.execute(trx);
}

export async function getRestriction(q: Kysely<DB>, s: SenderRef): Promise<Restriction | undefined> {
  const row = await q.selectFrom('restrictions').selectAll().where('tenant_id', '=', s.tenantId).where('entity_type', '=', s.type).where('identity', '=', s.identity).executeTakeFirst();
  return row ? toRestriction(row) : undefined;
}

export async function applyTransition(trx: Tx, t: Transition): Promise<void> {
  const row = restrictionRow(t.restriction);
  const { tenant_id: _t, entity_type: _e, identity: _i, ...update } = row;
  await trx.insertInto('restrictions').values(row).onConflict((c) => c.columns(['tenant_id', 'entity_type', 'identity']).doUpdateSet(update)).execute();
  await trx.insertInto('restriction_history').values(historyRow(t)).execute();
}

export async function listRestrictions(q: Kysely<DB>, r: RestrictionQuery): Promise<RestrictionView[]> {
  return withHistory(q, await restrictionsQuery(q, r).execute());
}

/** One page of the Restricted entities list, with its history, and how many match. */
export async function pageRestrictions(q: Kysely<DB>, p: RestrictionPageQuery): Promise<{ total: number; items: RestrictionView[] }> {
  const { items, total } = restrictionPageQueries(q, p);
  const [rows, count] = [await items.execute(), await total.executeTakeFirst()];
  return { total: Number(count?.n ?? 0), items: await withHistory(q, rows) };
}

async function withHistory(q: Kysely<DB>, rows: ReadonlyArray<Selectable<RestrictionsTable>>): Promise<RestrictionView[]> {
  if (rows.length === 0) return [];
  // One query for every listed sender's history, not one per row.
  const history = await historyOfQuery(q, rows).execute();
  const bySender = new Map<string, typeof history>();
  for (const h of history) {
    const k = `${h.tenant_id}\u0000${h.entity_type}\u0000${h.identity}`;
    let list = bySender.get(k);
    if (!list) bySender.set(k, (list = []));
    list.push(h);
  }
  return rows.map((row) => ({ ...toRestriction(row), history: (bySender.get(`${row.tenant_id}\u0000${row.entity_type}\u0000${row.identity}`) ?? []).map(toHistoryEntry) }));
}

export async function listExpired(q: Kysely<DB>, now: number): Promise<Restriction[]> {
  return (await q.selectFrom('restrictions').selectAll().where('status', '=', 'Restricted').where('expires_at', 'is not', null).where('expires_at', '<=', now).execute()).map(toRestriction);
}

/**
 * Adds sends to their minute buckets; a send from before its sender's last window reset is left out
 * (an unblock raced it: what came before the unblock no longer counts).
 */
export async function recordSends(q: Kysely<DB> | Tx, records: readonly SendRecord[]): Promise<void> {
  if (records.length === 0) return;
  // One statement for the whole batch (one round trip, atomic without a transaction of its own): rows
  // sent before their sender's last window reset are dropped one by one, then what is left is summed
  // per bucket, since ON CONFLICT may touch a row only once per statement.
  const cols = { minute: [] as number[], tenant: [] as string[], type: [] as string[], identity: [] as string[], external: [] as number[], internal: [] as number[], messages: [] as number[], at: [] as number[] };
  for (const { sender: s, at, counts: c } of records) {
    cols.minute.push(minuteOf(at));
    cols.tenant.push(s.tenantId);
    cols.type.push(s.type);
    cols.identity.push(s.identity);
    cols.external.push(c.external);
    cols.internal.push(c.internal);
    cols.messages.push(c.messages);
    cols.at.push(at);
  }
  await sql`INSERT INTO sending_minutes (minute, tenant_id, entity_type, identity, external, internal, messages)
    SELECT r.minute, r.tenant_id, r.entity_type, r.identity, SUM(r.external), SUM(r.internal), SUM(r.messages)
    FROM unnest(${cols.minute}::bigint[], ${cols.tenant}::text[], ${cols.type}::text[], ${cols.identity}::text[],
                ${cols.external}::bigint[], ${cols.internal}::bigint[], ${cols.messages}::bigint[], ${cols.at}::bigint[])
      AS r(minute, tenant_id, entity_type, identity, external, internal, messages, at)
    WHERE NOT EXISTS (SELECT 1 FROM window_resets w WHERE w.tenant_id = r.tenant_id AND w.entity_type = r.entity_type AND w.identity = r.identity AND w.at > r.at)
    GROUP BY r.minute, r.tenant_id, r.entity_type, r.identity
    ON CONFLICT (minute, tenant_id, entity_type, identity) DO UPDATE SET external = sending_minutes.external + excluded.external,
      internal = sending_minutes.internal + excluded.internal, messages = sending_minutes.messages + excluded.messages`.execute(q);
}

/** Restarts a sender's windows at `at`, remembering what its current minute held before. */
export async function resetWindows(trx: Tx, s: SenderRef, at: number): Promise<void> {
  const minute = minuteOf(at);
  const current = await trx.selectFrom('sending_minutes').selectAll().where('minute', '=', minute).where('tenant_id', '=', s.tenantId).where('entity_type', '=', s.type).where('identity', '=', s.identity).executeTakeFirst();
  const row = { tenant_id: s.tenantId, entity_type: s.type, identity: s.identity, at, minute, external: current?.external ?? 0, internal: current?.internal ?? 0, messages: current?.messages ?? 0 };
  const { tenant_id: _t, entity_type: _e, identity: _i, ...update } = row;
  await trx.insertInto('window_resets').values(row).onConflict((c) => c.columns(['tenant_id', 'entity_type', 'identity']).doUpdateSet(update)).execute();
}

/** The buckets of the day window, less what came before each sender's last window reset. */
export async function loadWindows(q: Kysely<DB>, sinceMinute: number): Promise<Array<{ sender: SenderRef; bucket: MinuteBucket }>> {
  const key = (t: string, e: string, i: string): string => `${t}\u0000${e}\u0000${i}`;
  const resets = new Map((await q.selectFrom('window_resets').selectAll().where('minute', '>', sinceMinute).execute()).map((r) => [key(r.tenant_id, r.entity_type, r.identity), r]));
  const out: Array<{ sender: SenderRef; bucket: MinuteBucket }> = [];
  for (const r of await q.selectFrom('sending_minutes').selectAll().where('minute', '>', sinceMinute).orderBy('minute').execute()) {
    const reset = resets.get(key(r.tenant_id, r.entity_type, r.identity));
    if (reset && r.minute < reset.minute) continue;
    const before = reset && r.minute === reset.minute ? reset : { external: 0, internal: 0, messages: 0 };
    const bucket = { minute: r.minute, external: r.external - before.external, internal: r.internal - before.internal, messages: r.messages - before.messages };
    if (bucket.external + bucket.internal + bucket.messages === 0) continue;
    out.push({ sender: { tenantId: r.tenant_id, type: r.entity_type as EntityType, identity: r.identity }, bucket });
  }
  return out;
}

/**
 * Rolls minute buckets past the day window up into hours (kept `beforeHour` on) and drops them. One
 * node at a time (a transaction-level try-lock): two roll-ups at once would count the same minutes twice.
 */
export async function pruneWindows(trx: Tx, beforeMinute: number, beforeHour: number): Promise<void> {
  const got = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${LOCK_NS}, ${LOCKS.prune}) AS ok`.execute(trx);
  if (!got.rows[0]?.ok) return;
  await sql`INSERT INTO sending_hours (tenant_id, entity_type, identity, hour, external, internal, messages)
     SELECT tenant_id, entity_type, identity, minute / 60, SUM(external), SUM(internal), SUM(messages)
     FROM sending_minutes WHERE minute < ${beforeMinute} GROUP BY tenant_id, entity_type, identity, minute / 60
     ON CONFLICT (tenant_id, entity_type, identity, hour) DO UPDATE SET external = sending_hours.external + excluded.external,
       internal = sending_hours.internal + excluded.internal, messages = sending_hours.messages + excluded.messages`.execute(trx);
  await trx.deleteFrom('sending_minutes').where('minute', '<', beforeMinute).execute();
  await trx.deleteFrom('sending_hours').where('hour', '<', beforeHour).execute();
  await trx.deleteFrom('window_resets').where('minute', '<', beforeMinute).execute();
}

/** A sender's recipients and messages per hour since `fromHour` (hours since the epoch), oldest first. */
export async function sendingHistory(q: Kysely<DB>, s: SenderRef, fromHour: number): Promise<HourlyCount[]> {
  const r = await sql<HourlyCount>`SELECT hour, SUM(external) AS external, SUM(internal) AS internal, SUM(messages) AS messages FROM (
       SELECT hour, external, internal, messages FROM sending_hours
         WHERE tenant_id = ${s.tenantId} AND entity_type = ${s.type} AND identity = ${s.identity} AND hour >= ${fromHour}
       UNION ALL
       SELECT minute / 60 AS hour, external, internal, messages FROM sending_minutes
         WHERE tenant_id = ${s.tenantId} AND entity_type = ${s.type} AND identity = ${s.identity} AND minute >= ${fromHour * 60}) AS h
     GROUP BY hour ORDER BY hour`.execute(q);
  return r.rows;
}

/** Every sender's hourly counts since `fromHour` (optionally one tenant's), for the policy what-if. */
export async function sendingHistoryAll(q: Kysely<DB>, fromHour: number, tenantId: string | undefined): Promise<Array<{ sender: SenderRef; hours: HourlyCount[] }>> {
  const tenant = tenantId === undefined ? sql`` : sql`AND tenant_id = ${tenantId}`;
  const r = await sql<HourlyCount & { tenant_id: string; entity_type: EntityType; identity: string }>`
    SELECT tenant_id, entity_type, identity, hour, SUM(external) AS external, SUM(internal) AS internal, SUM(messages) AS messages FROM (
       SELECT tenant_id, entity_type, identity, hour, external, internal, messages FROM sending_hours WHERE hour >= ${fromHour} ${tenant}
       UNION ALL
       SELECT tenant_id, entity_type, identity, minute / 60 AS hour, external, internal, messages FROM sending_minutes WHERE minute >= ${fromHour * 60} ${tenant}) AS h
     GROUP BY tenant_id, entity_type, identity, hour ORDER BY tenant_id, entity_type, identity, hour`.execute(q);
  const out: Array<{ sender: SenderRef; hours: HourlyCount[] }> = [];
  for (const row of r.rows) {
    let last = out[out.length - 1];
    if (!last || last.sender.tenantId !== row.tenant_id || last.sender.type !== row.entity_type || last.sender.identity !== row.identity) {
      last = { sender: { tenantId: row.tenant_id, type: row.entity_type, identity: row.identity }, hours: [] };
      out.push(last);
    }
    last.hours.push({ hour: row.hour, external: row.external, internal: row.internal, messages: row.messages });
  }
  return out;
}

// Sending windows, restrictions with their history, and domain events in the embedded store.
import type { RestrictionQuery, RestrictionView, SendRecord } from '../../../app/ports.js';
import type { DomainEvent } from '../../../domain/events.js';
import type { BlockAction, HistoryEntry, Restriction, RestrictionStatus, Transition } from '../../../domain/restriction.js';
import { minuteOf, type MinuteBucket } from '../../../domain/rolling-window.js';
import type { EntityType, SenderRef } from '../../../domain/sender.js';
import type { SqliteDb } from './database.js';
import type { RestrictionsTable } from './schema.js';

const HOUR = 3_600_000;

export function recordSends(db: SqliteDb, records: readonly SendRecord[]): void {
  const minute = db.prepare(
    `INSERT INTO sending_minutes (tenant_id, entity_type, identity, minute, external, internal, messages)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET external = external + excluded.external, internal = internal + excluded.internal,
       messages = messages + excluded.messages`,
  );
  const hour = db.prepare(
    `INSERT INTO sending_hours (tenant_id, entity_type, identity, hour, external, internal, messages)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET external = external + excluded.external, internal = internal + excluded.internal,
       messages = messages + excluded.messages`,
  );
  for (const { sender: s, at, counts: c } of records) {
    minute.run(s.tenantId, s.type, s.identity, minuteOf(at), c.external, c.internal, c.messages);
    hour.run(s.tenantId, s.type, s.identity, Math.floor(at / HOUR), c.external, c.internal, c.messages);
  }
}

export function loadWindows(db: SqliteDb, sinceMinute: number): Array<{ sender: SenderRef; bucket: MinuteBucket }> {
  const rows = db.all(db.q.selectFrom('sending_minutes').selectAll().where('minute', '>', sinceMinute).orderBy('minute'));
  return rows.map((r) => ({
    sender: { tenantId: r.tenant_id, type: r.entity_type as EntityType, identity: r.identity },
    bucket: { minute: r.minute, external: r.external, internal: r.internal, messages: r.messages },
  }));
}

export function resetWindows(db: SqliteDb, s: SenderRef): void {
  db.run(db.q.deleteFrom('sending_minutes').where('tenant_id', '=', s.tenantId).where('entity_type', '=', s.type).where('identity', '=', s.identity));
}

/** Drops minute buckets older than the day window; hourly history is kept longer for reports. */
export function pruneWindows(db: SqliteDb, beforeMinute: number, beforeHour: number): void {
  db.run(db.q.deleteFrom('sending_minutes').where('minute', '<', beforeMinute));
  db.run(db.q.deleteFrom('sending_hours').where('hour', '<', beforeHour));
}

export function applyTransition(db: SqliteDb, t: Transition): void {
  const r = t.restriction;
  const row: RestrictionsTable = {
    tenant_id: r.tenantId,
    entity_type: r.entityType,
    identity: r.identity,
    reason: r.reason,
    policy: r.policy,
    action: r.action,
    status: r.status,
    created_at: r.createdAt,
    changed_at: r.changedAt,
    expires_at: r.expiresAt,
  };
  const { tenant_id: _t, entity_type: _e, identity: _i, ...update } = row;
  db.run(db.q.insertInto('restrictions').values(row).onConflict((c) => c.columns(['tenant_id', 'entity_type', 'identity']).doUpdateSet(update)));
  const h = t.history;
  db.run(
    db.q.insertInto('restriction_history').values({
      tenant_id: r.tenantId,
      entity_type: r.entityType,
      identity: r.identity,
      at: h.at,
      event: h.event,
      actor: h.actor,
      reason: h.reason,
    }),
  );
}

function toRestriction(r: RestrictionsTable): Restriction {
  return {
    tenantId: r.tenant_id,
    entityType: r.entity_type as EntityType,
    identity: r.identity,
    reason: r.reason,
    policy: r.policy,
    action: r.action as BlockAction,
    status: r.status as RestrictionStatus,
    createdAt: r.created_at,
    changedAt: r.changed_at,
    expiresAt: r.expires_at,
  };
}

export function getRestriction(db: SqliteDb, s: SenderRef): Restriction | undefined {
  const row = db.get(
    db.q.selectFrom('restrictions').selectAll().where('tenant_id', '=', s.tenantId).where('entity_type', '=', s.type).where('identity', '=', s.identity),
  );
  return row ? toRestriction(row) : undefined;
}

export function listRestrictions(db: SqliteDb, q: RestrictionQuery): RestrictionView[] {
  let query = db.q.selectFrom('restrictions').selectAll();
  if (q.tenantId !== undefined) query = query.where('tenant_id', '=', q.tenantId);
  if (q.entityType !== undefined) query = query.where('entity_type', '=', q.entityType);
  if (q.identity !== undefined) query = query.where('identity', '=', q.identity);
  if (q.activeAt !== undefined) {
    const at = q.activeAt;
    query = query.where('status', '=', 'Restricted').where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]));
  }
  const rows = db.all(query.orderBy('created_at', 'desc'));
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
      .map((h): HistoryEntry => ({ at: h.at, event: h.event as HistoryEntry['event'], actor: h.actor, reason: h.reason }));
    return { ...toRestriction(row), history };
  });
}

export function listExpired(db: SqliteDb, now: number): Restriction[] {
  return db
    .all(db.q.selectFrom('restrictions').selectAll().where('status', '=', 'Restricted').where('expires_at', 'is not', null).where('expires_at', '<=', now))
    .map(toRestriction);
}

export function recordEvents(db: SqliteDb, events: readonly DomainEvent[]): void {
  for (const e of events) {
    const tenantId = 'sender' in e ? e.sender.tenantId : e.tenantId;
    db.run(db.q.insertInto('events').values({ at: e.at, type: e.type, tenant_id: tenantId, payload: JSON.stringify(e) }));
  }
}

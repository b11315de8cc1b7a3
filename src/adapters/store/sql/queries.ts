// Queries both SQL stores build the same way (Kysely compiles them for SQLite or PostgreSQL); each
// backend runs them its own way: synchronously on better-sqlite3, awaited on pg.
import { sql, type Kysely } from 'kysely';
import type { AuditQuery, DirectoryKind, DirectoryObject, RestrictionPageQuery, RestrictionQuery } from '../../../app/ports.js';
import type { OutboundSpamPolicy } from '../../../domain/policy.js';
import type { RecipientPermission } from '../../../domain/recipient-permission.js';
import type { OutboundSpamRule } from '../../../domain/rule.js';
import type { AcceptedDomain, DistributionGroup, InboundConnector, Tenant } from '../../../domain/tenant.js';
import { connectorRow, domainRow, groupRow, permissionRow, policyRow, ruleRow, tenantRow } from './directory-rows.js';
import type { DB } from './schema.js';

/** Inserts or updates one directory object (a rule's policy id looked up by the caller). */
export function upsertDirectoryObject(q: Kysely<DB>, kind: DirectoryKind, o: DirectoryObject, policyId: string | undefined) {
  switch (kind) {
    case 'tenant': {
      const row = tenantRow(o as Tenant);
      return q.insertInto('tenants').values(row).onConflict((c) => c.column('id').doUpdateSet({ name: row.name, external_recipients_per_day: row.external_recipients_per_day }));
    }
    case 'domain': {
      const row = domainRow(o as AcceptedDomain);
      return q.insertInto('accepted_domains').values(row).onConflict((c) => c.column('id').doUpdateSet({ name: row.name, domain: row.domain }));
    }
    case 'policy': {
      const row = policyRow(o as OutboundSpamPolicy);
      return q.insertInto('policies').values(row).onConflict((c) => c.column('id').doUpdateSet({ name: row.name, settings: row.settings, changed_at: row.changed_at }));
    }
    case 'rule': {
      const r = o as OutboundSpamRule;
      if (policyId === undefined) throw new Error(`policy ${r.HostedOutboundSpamFilterPolicy} vanished`);
      const row = ruleRow(r, policyId);
      const { id: _id, created_at: _c, ...update } = row;
      return q.insertInto('rules').values(row).onConflict((c) => c.column('id').doUpdateSet(update));
    }
    case 'connector': {
      const row = connectorRow(o as InboundConnector);
      return q.insertInto('connectors').values(row).onConflict((x) => x.column('id').doUpdateSet({ name: row.name, doc: row.doc, changed_at: row.changed_at }));
    }
    case 'group': {
      const row = groupRow(o as DistributionGroup);
      return q.insertInto('groups').values(row).onConflict((x) => x.column('id').doUpdateSet({ name: row.name, address: row.address, members: row.members }));
    }
    case 'permission': {
      const row = permissionRow(o as RecipientPermission);
      return q.insertInto('recipient_permissions').values(row).onConflict((x) => x.column('id').doUpdateSet({ access_rights: row.access_rights }));
    }
  }
}

/** Audit records matching `a`, newest first. */
export function searchAuditQuery(q: Kysely<DB>, a: AuditQuery) {
  let query = q.selectFrom('audit_log').selectAll();
  if (a.tenantId !== undefined) query = query.where('tenant_id', '=', a.tenantId);
  if (a.from !== undefined) query = query.where('at', '>=', a.from);
  if (a.to !== undefined) query = query.where('at', '<', a.to);
  if (a.operations?.length) query = query.where('operation', 'in', a.operations);
  if (a.actors?.length) query = query.where('actor', 'in', a.actors);
  if (a.targets?.length) query = query.where('target', 'in', a.targets);
  return query.orderBy('seq', 'desc').limit(a.limit ?? 1000);
}

/** Restrictions matching `r`, newest first. */
export function restrictionsQuery(q: Kysely<DB>, r: RestrictionQuery) {
  let query = q.selectFrom('restrictions').selectAll();
  if (r.tenantId !== undefined) query = query.where('tenant_id', '=', r.tenantId);
  if (r.entityType !== undefined) query = query.where('entity_type', '=', r.entityType);
  if (r.identity !== undefined) query = query.where('identity', '=', r.identity);
  if (r.activeAt !== undefined) {
    const at = r.activeAt;
    query = query.where('status', '=', 'Restricted').where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]));
  }
  return query.orderBy('created_at', 'desc');
}

/** LIKE text matching itself only: the admin's % and _ are literal (escaped with \\). */
const likeText = (s: string): string => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The Restricted entities list as SQL: filter, search, sort and page in the database, so a page costs
 * the same at 10,000 entities as at 10. Entity is the address, the connector's name (its directory
 * row; '(removed)' when gone) or the tenant's name; Status is Restricted only while not expired at `now`. Both dialects
 * order booleans false first, so "never expires" sorts as the latest expiry. Ties break in the sort's own
 * direction, so the other order is the same list reversed.
 */
export function restrictionPageQueries(q: Kysely<DB>, p: RestrictionPageQuery) {
  const name = sql<string>`CASE WHEN r.entity_type = 'Connector' THEN COALESCE(c.name, '(removed)') WHEN r.entity_type = 'Tenant' THEN COALESCE(t.name, r.identity) ELSE r.identity END`;
  const active = sql<boolean>`(r.status = 'Restricted' AND (r.expires_at IS NULL OR r.expires_at > ${p.now}))`;
  let base = q
    .selectFrom('restrictions as r')
    .leftJoin('connectors as c', (j) => j.onRef('c.id', '=', 'r.identity').on('r.entity_type', '=', 'Connector'))
    .leftJoin('tenants as t', (j) => j.onRef('t.id', '=', 'r.identity').on('r.entity_type', '=', 'Tenant'));
  if (p.tenantId !== undefined) base = base.where('r.tenant_id', '=', p.tenantId);
  if (p.entityType !== undefined) base = base.where('r.entity_type', '=', p.entityType);
  if (p.status === 'Restricted') base = base.where(active);
  if (p.status === 'Released') base = base.where(sql<boolean>`NOT ${active}`);
  if (p.search) {
    const like = likeText(p.search);
    base = base.where(sql<boolean>`(LOWER(r.identity) LIKE ${like} ESCAPE '\\' OR LOWER(COALESCE(c.name, '')) LIKE ${like} ESCAPE '\\' OR LOWER(COALESCE(t.name, '')) LIKE ${like} ESCAPE '\\' OR LOWER(r.reason) LIKE ${like} ESCAPE '\\')`);
  }
  const dir = sql.raw(p.order === 'asc' ? 'ASC' : 'DESC');
  const key = {
    Entity: sql`LOWER(${name}) ${dir}, ${name} ${dir}`,
    EntityType: sql`r.entity_type ${dir}`,
    Reason: sql`r.reason ${dir}`,
    CreatedDatetime: sql`r.created_at ${dir}`,
    ChangedDatetime: sql`r.changed_at ${dir}`,
    ExpiresDatetime: sql`(r.expires_at IS NULL) ${dir}, r.expires_at ${dir}`,
    Status: sql`CASE WHEN ${active} THEN 'Restricted' ELSE 'Released' END ${dir}`,
    Policy: sql`r.policy ${dir}`,
  }[p.sort];
  const items = base
    .selectAll('r')
    .orderBy(sql`${key}, LOWER(${name}) ${dir}, ${name} ${dir}, r.identity ${dir}, r.entity_type ${dir}, r.tenant_id ${dir}`)
    .limit(p.limit)
    .offset(p.offset);
  const total = base.select((eb) => eb.fn.countAll<number | string>().as('n'));
  return { items, total };
}

/** The history of each listed sender, in one query (oldest first). */
export function historyOfQuery(q: Kysely<DB>, rows: ReadonlyArray<{ tenant_id: string; entity_type: string; identity: string }>) {
  return q
    .selectFrom('restriction_history')
    .selectAll()
    .where((eb) => eb.or(rows.map((x) => eb.and([eb('tenant_id', '=', x.tenant_id), eb('entity_type', '=', x.entity_type), eb('identity', '=', x.identity)]))))
    .orderBy('at')
    .orderBy('id');
}

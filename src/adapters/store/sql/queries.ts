// Queries both SQL stores build the same way (Kysely compiles them for SQLite or PostgreSQL); each
// backend runs them its own way: synchronously on better-sqlite3, awaited on pg.
import type { Kysely } from 'kysely';
import type { AuditQuery, DirectoryKind, DirectoryObject, RestrictionQuery } from '../../../app/ports.js';
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

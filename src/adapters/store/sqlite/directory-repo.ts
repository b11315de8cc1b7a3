// Tenants, accepted domains, policies, rules, connectors and groups in the embedded store.
import type { DirectoryKind, DirectoryObject, DirectorySnapshot } from '../../../app/ports.js';
import type { OutboundSpamRule } from '../../../domain/rule.js';
import { DIRECTORY_TABLE, directoryOf } from '../sql/directory-rows.js';
import { upsertDirectoryObject } from '../sql/queries.js';
import type { SqliteDb } from './database.js';

export function loadDirectory(db: SqliteDb): DirectorySnapshot {
  return directoryOf({
    revision: revision(db),
    tenants: db.all(db.q.selectFrom('tenants').selectAll().orderBy('created_at')),
    domains: db.all(db.q.selectFrom('accepted_domains').selectAll().orderBy('domain')),
    policies: db.all(db.q.selectFrom('policies').selectAll().orderBy('created_at')),
    rules: db.all(db.q.selectFrom('rules').selectAll().orderBy('priority')),
    connectors: db.all(db.q.selectFrom('connectors').selectAll().orderBy('created_at')),
    groups: db.all(db.q.selectFrom('groups').selectAll().orderBy('created_at')),
    permissions: db.all(db.q.selectFrom('recipient_permissions').selectAll().orderBy('identity').orderBy('trustee')),
  });
}

export function upsertObject(db: SqliteDb, kind: DirectoryKind, o: DirectoryObject): void {
  let policyId: string | undefined;
  if (kind === 'rule') {
    const r = o as OutboundSpamRule;
    policyId = db.get(db.q.selectFrom('policies').select('id').where('tenant_id', '=', r.TenantId).where('name', '=', r.HostedOutboundSpamFilterPolicy))?.id;
  }
  db.run(upsertDirectoryObject(db.q, kind, o, policyId));
}

export function removeObject(db: SqliteDb, kind: DirectoryKind, id: string): void {
  db.run(db.q.deleteFrom(DIRECTORY_TABLE[kind]).where('id', '=', id));
}

export function revision(db: SqliteDb): number {
  return db.get(db.q.selectFrom('meta').select('value').where('key', '=', 'directory_revision'))?.value ?? 0;
}

export function bumpRevision(db: SqliteDb): void {
  db.run(db.q.updateTable('meta').set((eb) => ({ value: eb('value', '+', 1) })).where('key', '=', 'directory_revision'));
}

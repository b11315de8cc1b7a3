// Tenants, accepted domains, policies, rules, connectors and groups in the embedded store.
import type { DirectoryKind, DirectoryObject, DirectorySnapshot } from '../../../app/ports.js';
import type { OutboundSpamPolicy, PolicySettings } from '../../../domain/policy.js';
import type { OutboundSpamRule, SenderConditions } from '../../../domain/rule.js';
import type { AcceptedDomain, DistributionGroup, InboundConnector, Tenant } from '../../../domain/tenant.js';
import type { SqliteDb } from './database.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (isoText: string): number => Date.parse(isoText);

export function loadDirectory(db: SqliteDb): DirectorySnapshot {
  const policies = db.all(db.q.selectFrom('policies').selectAll().orderBy('created_at'));
  const policyName = new Map(policies.map((p) => [p.id, p.name]));
  return {
    revision: revision(db),
    tenants: db.all(db.q.selectFrom('tenants').selectAll().orderBy('created_at')).map(
      (r): Tenant => ({ Id: r.id, Name: r.name, WhenCreatedUTC: iso(r.created_at) }),
    ),
    domains: db.all(db.q.selectFrom('accepted_domains').selectAll().orderBy('domain')).map(
      (r): AcceptedDomain => ({ Id: r.id, TenantId: r.tenant_id, Name: r.name, DomainName: r.domain, WhenCreatedUTC: iso(r.created_at) }),
    ),
    policies: policies.map(
      (r): OutboundSpamPolicy => ({
        Id: r.id,
        TenantId: r.tenant_id,
        Name: r.name,
        IsDefault: r.is_default === 1,
        ...(JSON.parse(r.settings) as PolicySettings),
        WhenCreatedUTC: iso(r.created_at),
        WhenChangedUTC: iso(r.changed_at),
      }),
    ),
    rules: db.all(db.q.selectFrom('rules').selectAll().orderBy('priority')).map(
      (r): OutboundSpamRule => ({
        Id: r.id,
        TenantId: r.tenant_id,
        Name: r.name,
        HostedOutboundSpamFilterPolicy: policyName.get(r.policy_id) ?? '',
        Priority: r.priority,
        State: r.enabled === 1 ? 'Enabled' : 'Disabled',
        ...(JSON.parse(r.conditions) as SenderConditions),
        Comments: r.comments,
        WhenCreatedUTC: iso(r.created_at),
        WhenChangedUTC: iso(r.changed_at),
      }),
    ),
    connectors: db.all(db.q.selectFrom('connectors').selectAll().orderBy('created_at')).map(
      (r) => JSON.parse(r.doc) as InboundConnector,
    ),
    groups: db.all(db.q.selectFrom('groups').selectAll().orderBy('created_at')).map(
      (r): DistributionGroup => ({
        Id: r.id,
        TenantId: r.tenant_id,
        Name: r.name,
        PrimarySmtpAddress: r.address,
        Members: JSON.parse(r.members) as string[],
        WhenCreatedUTC: iso(r.created_at),
      }),
    ),
  };
}

export function upsertObject(db: SqliteDb, kind: DirectoryKind, o: DirectoryObject): void {
  switch (kind) {
    case 'tenant': {
      const t = o as Tenant;
      const row = { id: t.Id, name: t.Name, created_at: ms(t.WhenCreatedUTC) };
      db.run(db.q.insertInto('tenants').values(row).onConflict((c) => c.column('id').doUpdateSet({ name: row.name })));
      return;
    }
    case 'domain': {
      const d = o as AcceptedDomain;
      const row = { id: d.Id, tenant_id: d.TenantId, name: d.Name, domain: d.DomainName, created_at: ms(d.WhenCreatedUTC) };
      db.run(db.q.insertInto('accepted_domains').values(row).onConflict((c) => c.column('id').doUpdateSet({ name: row.name, domain: row.domain })));
      return;
    }
    case 'policy': {
      const p = o as OutboundSpamPolicy;
      const { Id, TenantId, Name, IsDefault, WhenCreatedUTC, WhenChangedUTC, ...settings } = p;
      const row = {
        id: Id,
        tenant_id: TenantId,
        name: Name,
        is_default: IsDefault ? 1 : 0,
        settings: JSON.stringify(settings),
        created_at: ms(WhenCreatedUTC),
        changed_at: ms(WhenChangedUTC),
      };
      db.run(db.q.insertInto('policies').values(row).onConflict((c) => c.column('id').doUpdateSet({ name: row.name, settings: row.settings, changed_at: row.changed_at })));
      return;
    }
    case 'rule': {
      const r = o as OutboundSpamRule;
      const policy = db.get(db.q.selectFrom('policies').select('id').where('tenant_id', '=', r.TenantId).where('name', '=', r.HostedOutboundSpamFilterPolicy));
      if (!policy) throw new Error(`policy ${r.HostedOutboundSpamFilterPolicy} vanished`);
      const conditions: SenderConditions = {
        From: r.From,
        FromMemberOf: r.FromMemberOf,
        SenderDomainIs: r.SenderDomainIs,
        ExceptIfFrom: r.ExceptIfFrom,
        ExceptIfFromMemberOf: r.ExceptIfFromMemberOf,
        ExceptIfSenderDomainIs: r.ExceptIfSenderDomainIs,
      };
      const row = {
        id: r.Id,
        tenant_id: r.TenantId,
        name: r.Name,
        policy_id: policy.id,
        priority: r.Priority,
        enabled: r.State === 'Enabled' ? 1 : 0,
        conditions: JSON.stringify(conditions),
        comments: r.Comments,
        created_at: ms(r.WhenCreatedUTC),
        changed_at: ms(r.WhenChangedUTC),
      };
      const { id: _id, created_at: _c, ...update } = row;
      db.run(db.q.insertInto('rules').values(row).onConflict((c) => c.column('id').doUpdateSet(update)));
      return;
    }
    case 'connector': {
      const c = o as InboundConnector;
      const row = { id: c.Id, tenant_id: c.TenantId, name: c.Name, doc: JSON.stringify(c), created_at: ms(c.WhenCreatedUTC), changed_at: ms(c.WhenChangedUTC) };
      db.run(db.q.insertInto('connectors').values(row).onConflict((x) => x.column('id').doUpdateSet({ name: row.name, doc: row.doc, changed_at: row.changed_at })));
      return;
    }
    case 'group': {
      const g = o as DistributionGroup;
      const row = { id: g.Id, tenant_id: g.TenantId, name: g.Name, address: g.PrimarySmtpAddress, members: JSON.stringify(g.Members), created_at: ms(g.WhenCreatedUTC) };
      db.run(db.q.insertInto('groups').values(row).onConflict((x) => x.column('id').doUpdateSet({ name: row.name, address: row.address, members: row.members })));
      return;
    }
  }
}

const TABLE = {
  tenant: 'tenants',
  domain: 'accepted_domains',
  policy: 'policies',
  rule: 'rules',
  connector: 'connectors',
  group: 'groups',
} as const;

export function removeObject(db: SqliteDb, kind: DirectoryKind, id: string): void {
  db.run(db.q.deleteFrom(TABLE[kind]).where('id', '=', id));
}

export function revision(db: SqliteDb): number {
  return db.get(db.q.selectFrom('meta').select('value').where('key', '=', 'directory_revision'))?.value ?? 0;
}

export function bumpRevision(db: SqliteDb): void {
  db.run(db.q.updateTable('meta').set((eb) => ({ value: eb('value', '+', 1) })).where('key', '=', 'directory_revision'));
}

// The directory's rows ⇄ objects, shared by both SQL stores: what loadDirectory reads and what an
// upsert writes, whichever backend runs the SQL.
import type { DirectorySnapshot } from '../../../app/ports.js';
import type { OutboundSpamPolicy, PolicySettings } from '../../../domain/policy.js';
import type { AccessRight, RecipientPermission } from '../../../domain/recipient-permission.js';
import type { OutboundSpamRule, SenderConditions } from '../../../domain/rule.js';
import type { AcceptedDomain, DistributionGroup, InboundConnector, Tenant } from '../../../domain/tenant.js';
import type { AcceptedDomainsTable, ConnectorsTable, GroupsTable, PoliciesTable, RecipientPermissionsTable, RulesTable, TenantsTable } from './schema.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (isoText: string): number => Date.parse(isoText);

/** The directory's tables, in the order loadDirectory reads them. */
export interface DirectoryRows {
  revision: number;
  tenants: TenantsTable[];
  domains: AcceptedDomainsTable[];
  policies: PoliciesTable[];
  rules: RulesTable[];
  connectors: ConnectorsTable[];
  groups: GroupsTable[];
  permissions: RecipientPermissionsTable[];
}

export function directoryOf(rows: DirectoryRows): DirectorySnapshot {
  const policyName = new Map(rows.policies.map((p) => [p.id, p.name]));
  return {
    revision: rows.revision,
    tenants: rows.tenants.map((r): Tenant => ({ Id: r.id, Name: r.name, ExternalRecipientLimitPerDay: Number(r.external_recipients_per_day), WhenCreatedUTC: iso(r.created_at) })),
    domains: rows.domains.map((r): AcceptedDomain => ({ Id: r.id, TenantId: r.tenant_id, Name: r.name, DomainName: r.domain, WhenCreatedUTC: iso(r.created_at) })),
    policies: rows.policies.map(
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
    rules: rows.rules.map(
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
    connectors: rows.connectors.map((r) => JSON.parse(r.doc) as InboundConnector),
    groups: rows.groups.map(
      (r): DistributionGroup => ({
        Id: r.id,
        TenantId: r.tenant_id,
        Name: r.name,
        PrimarySmtpAddress: r.address,
        Members: JSON.parse(r.members) as string[],
        WhenCreatedUTC: iso(r.created_at),
      }),
    ),
    permissions: rows.permissions.map(
      (r): RecipientPermission => ({
        Id: r.id,
        TenantId: r.tenant_id,
        Identity: r.identity,
        Trustee: r.trustee,
        AccessRights: JSON.parse(r.access_rights) as AccessRight[],
        WhenCreatedUTC: iso(r.created_at),
      }),
    ),
  };
}

export const tenantRow = (t: Tenant): TenantsTable => ({ id: t.Id, name: t.Name, created_at: ms(t.WhenCreatedUTC), external_recipients_per_day: t.ExternalRecipientLimitPerDay });

export const domainRow = (d: AcceptedDomain): AcceptedDomainsTable => ({ id: d.Id, tenant_id: d.TenantId, name: d.Name, domain: d.DomainName, created_at: ms(d.WhenCreatedUTC) });

export function policyRow(p: OutboundSpamPolicy): PoliciesTable {
  const { Id, TenantId, Name, IsDefault, WhenCreatedUTC, WhenChangedUTC, ...settings } = p;
  return { id: Id, tenant_id: TenantId, name: Name, is_default: IsDefault ? 1 : 0, settings: JSON.stringify(settings), created_at: ms(WhenCreatedUTC), changed_at: ms(WhenChangedUTC) };
}

/** A rule's row; its policy is referred to by id, which the caller looked up by name. */
export function ruleRow(r: OutboundSpamRule, policyId: string): RulesTable {
  const conditions: SenderConditions = {
    From: r.From,
    FromMemberOf: r.FromMemberOf,
    SenderDomainIs: r.SenderDomainIs,
    ExceptIfFrom: r.ExceptIfFrom,
    ExceptIfFromMemberOf: r.ExceptIfFromMemberOf,
    ExceptIfSenderDomainIs: r.ExceptIfSenderDomainIs,
  };
  return {
    id: r.Id,
    tenant_id: r.TenantId,
    name: r.Name,
    policy_id: policyId,
    priority: r.Priority,
    enabled: r.State === 'Enabled' ? 1 : 0,
    conditions: JSON.stringify(conditions),
    comments: r.Comments,
    created_at: ms(r.WhenCreatedUTC),
    changed_at: ms(r.WhenChangedUTC),
  };
}

export const connectorRow = (c: InboundConnector): ConnectorsTable => ({ id: c.Id, tenant_id: c.TenantId, name: c.Name, doc: JSON.stringify(c), created_at: ms(c.WhenCreatedUTC), changed_at: ms(c.WhenChangedUTC) });

export const groupRow = (g: DistributionGroup): GroupsTable => ({ id: g.Id, tenant_id: g.TenantId, name: g.Name, address: g.PrimarySmtpAddress, members: JSON.stringify(g.Members), created_at: ms(g.WhenCreatedUTC) });

export const permissionRow = (p: RecipientPermission): RecipientPermissionsTable => ({
  id: p.Id,
  tenant_id: p.TenantId,
  identity: p.Identity,
  trustee: p.Trustee,
  access_rights: JSON.stringify(p.AccessRights),
  created_at: ms(p.WhenCreatedUTC),
});

/** The table of each kind of directory object. */
export const DIRECTORY_TABLE = {
  tenant: 'tenants',
  domain: 'accepted_domains',
  policy: 'policies',
  rule: 'rules',
  connector: 'connectors',
  group: 'groups',
  permission: 'recipient_permissions',
} as const;

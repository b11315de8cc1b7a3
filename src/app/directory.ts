// An indexed, read-only view of the configuration for the hot path: which tenant a login belongs to,
// which connector a client address comes from, which domains are internal, which limits apply.
import { detach } from './detach.js';
import { BlockList, isIP } from 'node:net';
import { domainOf } from '../domain/address.js';
import { SEND_AS } from '../domain/recipient-permission.js';
import { effectiveLimits, type EffectiveLimits, type OutboundSpamPolicy } from '../domain/policy.js';
import { selectPolicy, type OutboundSpamRule } from '../domain/rule.js';
import type { SenderRef } from '../domain/sender.js';
import type { ServiceLimits } from '../domain/service-limits.js';
import { DEFAULT_TENANT_ID, type InboundConnector } from '../domain/tenant.js';
import type { DirectorySnapshot } from './ports.js';

const POLICY_CACHE_MAX = 50_000;

interface TenantIndex {
  domains: Set<string>;
  rules: OutboundSpamRule[];
  policies: Map<string, OutboundSpamPolicy>;
  defaultPolicy: OutboundSpamPolicy | undefined;
  groupsByMember: Map<string, Set<string>>;
}

/** Client addresses whose connector is remembered; past it the memory starts afresh. */
const CONNECTOR_MEMORY = 10_000;

export class Directory {
  private readonly tenantByDomain = new Map<string, string>();
  private readonly tenants = new Map<string, TenantIndex>();
  private readonly connectors: Array<{ connector: InboundConnector; list: BlockList }> = [];
  /** connectorFor()'s answers by client address (null: none). */
  private readonly connectorByAddress = new Map<string, InboundConnector | null>();
  private readonly connectorsById = new Map<string, InboundConnector>();
  private readonly limitsCache = new Map<string, EffectiveLimits>();
  private readonly defaultOnly = new Map<string, EffectiveLimits>();
  /** `tenant \0 trustee \0 identity` for every Send As grant. */
  private readonly sendAs = new Set<string>();
  /** Tenants with an external recipient limit (TERRL), by id; absent: none. */
  private readonly tenantLimits = new Map<string, number>();

  constructor(readonly snapshot: DirectorySnapshot, private readonly service: ServiceLimits) {
    for (const t of snapshot.tenants) {
      if (t.ExternalRecipientLimitPerDay > 0) this.tenantLimits.set(t.Id, t.ExternalRecipientLimitPerDay);
      this.tenants.set(t.Id, { domains: new Set(), rules: [], policies: new Map(), defaultPolicy: undefined, groupsByMember: new Map() });
    }
    for (const d of snapshot.domains) {
      this.tenantByDomain.set(d.DomainName, d.TenantId);
      this.tenants.get(d.TenantId)?.domains.add(d.DomainName);
    }
    for (const p of snapshot.policies) {
      const t = this.tenants.get(p.TenantId);
      if (!t) continue;
      t.policies.set(p.Name.toLowerCase(), p);
      if (p.IsDefault) t.defaultPolicy = p;
    }
    for (const r of snapshot.rules) this.tenants.get(r.TenantId)?.rules.push(r);
    for (const g of snapshot.groups) {
      const t = this.tenants.get(g.TenantId);
      for (const m of g.Members) {
        const set = t?.groupsByMember.get(m) ?? new Set<string>();
        set.add(g.PrimarySmtpAddress);
        t?.groupsByMember.set(m, set);
      }
    }
    for (const [id, t] of this.tenants) {
      if (t.rules.some((r) => r.State === 'Enabled')) continue;
      this.defaultOnly.set(id, this.computeLimits(id, undefined));
    }
    for (const p of snapshot.permissions) if (p.AccessRights.includes(SEND_AS)) this.sendAs.add(`${p.TenantId}\u0000${p.Trustee}\u0000${p.Identity}`);
    for (const c of snapshot.connectors) {
      this.connectorsById.set(c.Id, c);
      if (!c.Enabled) continue;
      const list = new BlockList();
      for (const cidr of c.SenderIPAddresses) addCidr(list, cidr);
      this.connectors.push({ connector: c, list });
    }
  }

  /** The tenant of an authenticated login: by its domain's accepted domain, else the default tenant. */
  tenantOfLogin(login: string): string {
    return login.includes('@') ? (this.tenantByDomain.get(domainOf(login)) ?? DEFAULT_TENANT_ID) : DEFAULT_TENANT_ID;
  }

  /**
   * The enabled connector whose source CIDRs contain `ip` (most specific first is not needed: no overlap
   * is enforced). Remembered per address: relays are few and ask for every message, and a BlockList
   * check builds a SocketAddress each time. This directory is replaced on any change, and its memory
   * with it.
   */
  connectorFor(ip: string): InboundConnector | undefined {
    const known = this.connectorByAddress.get(ip);
    if (known !== undefined) return known ?? undefined;
    const family = isIP(ip);
    const found = family === 0 ? undefined : this.connectors.find((c) => c.list.check(ip, family === 4 ? 'ipv4' : 'ipv6'))?.connector;
    if (this.connectorByAddress.size >= CONNECTOR_MEMORY) this.connectorByAddress.clear();
    this.connectorByAddress.set(detach(ip), found ?? null);
    return found;
  }

  /** The tenant's external recipients per rolling 24 h (docs/tenancy.md); 0 = no tenant limit. */
  tenantLimit(tenantId: string): number {
    return this.tenantLimits.get(tenantId) ?? 0;
  }

  connector(id: string): InboundConnector | undefined {
    return this.connectorsById.get(id);
  }

  /** Whether `trustee` may send as `identity` in the tenant (Add-RecipientPermission -AccessRights SendAs). */
  maySendAs(tenantId: string, trustee: string, identity: string): boolean {
    return this.sendAs.has(`${tenantId}\u0000${trustee}\u0000${identity}`);
  }

  isInternal(tenantId: string, recipient: string): boolean {
    return this.tenants.get(tenantId)?.domains.has(domainOf(recipient)) ?? false;
  }

  /** The limits a message from `sender` with envelope sender `from` is held to. */
  limitsFor(sender: SenderRef, from: string | undefined): EffectiveLimits {
    if (sender.type === 'Connector') return this.connectorLimits(sender.identity);
    // No enabled rule in the tenant: everyone has the default policy, no lookup needed.
    const onlyDefault = this.defaultOnly.get(sender.tenantId);
    if (onlyDefault) return onlyDefault;
    const key = `${sender.tenantId}\u0000${from ?? ''}`;
    let limits = this.limitsCache.get(key);
    if (!limits) {
      limits = this.computeLimits(sender.tenantId, from);
      if (this.limitsCache.size >= POLICY_CACHE_MAX) this.limitsCache.clear();
      this.limitsCache.set(key, limits);
    }
    return limits;
  }

  private computeLimits(tenantId: string, from: string | undefined): EffectiveLimits {
    const t = this.tenants.get(tenantId) ?? this.tenants.get(DEFAULT_TENANT_ID);
    const fallback = { Name: 'Default', ...serviceDefaultSettings };
    if (!t?.defaultPolicy) return effectiveLimits(fallback, this.service);
    const groupsOf = (a: string): ReadonlySet<string> => t.groupsByMember.get(a) ?? new Set();
    return effectiveLimits(selectPolicy(t.rules, t.policies, t.defaultPolicy, from, groupsOf), this.service);
  }

  private connectorLimits(id: string): EffectiveLimits {
    const c = this.connectorsById.get(id);
    const s = this.service;
    return {
      externalPerHour: c?.RecipientLimitExternalPerHour || s.connectorExternalPerHour,
      internalPerHour: c?.RecipientLimitInternalPerHour || s.connectorInternalPerHour,
      perDay: c?.RecipientLimitPerDay || s.connectorPerDay,
      // A connector over its limit is blocked until an admin acts (docs/spec.md §1: Unblock entity).
      action: 'BlockUser',
      policyName: `InboundConnector:${c?.Name ?? id}`,
    };
  }
}

const serviceDefaultSettings = {
  RecipientLimitExternalPerHour: 0,
  RecipientLimitInternalPerHour: 0,
  RecipientLimitPerDay: 0,
  ActionWhenThresholdReached: 'BlockUserForToday' as const,
};

/** Adds `a.b.c.d/n`, `x::/n` or a single address to a BlockList (validated when the connector was saved). */
export function addCidr(list: BlockList, cidr: string): void {
  const [ip = '', bits] = cidr.split('/');
  const family = isIP(ip);
  if (family === 0) return;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(ip, type);
  else list.addSubnet(ip, Number(bits), type);
}

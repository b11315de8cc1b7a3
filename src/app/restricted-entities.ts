// Get-/Remove-BlockedSenderAddress and Get-/Remove-BlockedConnector (docs/spec.md §1, §2): the Restricted
// entities list and the unblock that lifts a restriction, keeps its history and restarts the windows.
import { normalizeAddress, printable } from '../domain/address.js';
import { isActive, release, type HistoryEntry } from '../domain/restriction.js';
import type { EntityType } from '../domain/sender.js';
import { Errors, fail } from '../errors.js';
import { text } from '../domain/policy.js';
import type { AdminContext } from './directory-change.js';
import { tenantFilter } from './directory-change.js';
import { authorize } from './roles.js';
import type { RestrictionView } from './ports.js';
/** A restricted entity as Get-BlockedSenderAddress / Get-BlockedConnector show it. */
export interface BlockedEntity {
  Entity: EntityType;
  SenderAddress?: string;
  ConnectorId?: string;
  ConnectorName?: string;
  TenantId: string;
  Reason: string;
  Policy: string;
  Action: string;
  Status: 'Restricted' | 'Released';
  CreatedDatetime: string;
  ChangedDatetime: string;
  ExpiresDatetime: string | null;
  History: Array<{ At: string; Event: HistoryEntry['event']; Actor: string; Reason: string }>;
}

const REASON_MAX = 1024;
const iso = (ms: number): string => new Date(ms).toISOString();

export async function getBlockedSenders(ctx: AdminContext, senderAddress?: string): Promise<BlockedEntity[]> {
  const identity = senderAddress === undefined ? undefined : normalizeAddress(senderAddress, 'SenderAddress');
  return listBlocked(ctx, 'Mailbox', identity);
}

export async function getBlockedConnectors(ctx: AdminContext, connectorId?: string): Promise<BlockedEntity[]> {
  return listBlocked(ctx, 'Connector', connectorId === undefined ? undefined : await connectorIdOf(ctx, connectorId));
}

export async function unblockSender(ctx: AdminContext, senderAddress: string, reason?: string): Promise<BlockedEntity> {
  const identity = normalizeAddress(senderAddress, 'SenderAddress');
  return unblock(ctx, 'Mailbox', identity, reason, `Sender ${identity} is not on the Restricted entities list.`);
}

export async function unblockConnector(ctx: AdminContext, connectorId: string, reason?: string): Promise<BlockedEntity> {
  const id = await connectorIdOf(ctx, connectorId);
  return unblock(ctx, 'Connector', id, reason, `Connector ${printable(connectorId)} is not on the Restricted entities list.`);
}

async function listBlocked(ctx: AdminContext, entityType: EntityType, identity: string | undefined): Promise<BlockedEntity[]> {
  authorize(ctx.actor, 'read');
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  const views = await ctx.store.listRestrictions({ tenantId, entityType, identity, activeAt: ctx.clock.now() });
  return Promise.all(views.map((v) => present(ctx, v)));
}

async function unblock(ctx: AdminContext, type: EntityType, identity: string, reason: string | undefined, notBlocked: string): Promise<BlockedEntity> {
  const why = reason === undefined ? 'Unblocked by an administrator' : text('Reason', reason, REASON_MAX, true) || 'Unblocked by an administrator';
  authorize(ctx.actor, 'change');
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  // Two admins unblocking at once: the first wins, the second re-reads and is told it is not blocked.
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = ctx.clock.now();
    const current = (await ctx.store.listRestrictions({ tenantId, entityType: type, identity, activeAt: now }))[0];
    if (!current) fail(type === 'Mailbox' ? Errors.SENDER_NOT_BLOCKED : Errors.CONNECTOR_NOT_BLOCKED, notBlocked);
    checkUnblockLimit(ctx, current.history, now, type === 'Mailbox' ? identity : `connector ${identity}`);
    const t = release(current, { how: 'Unblocked', actor: ctx.actor, reason: why, now });
    if (!t) fail(Errors.SENDER_NOT_BLOCKED, notBlocked);
    // Restart the sender's windows: the next message is judged on what it sends from now on.
    if (await ctx.store.applyTransition(t, { from: current, resetWindows: true })) {
      const [view] = await ctx.store.listRestrictions({ tenantId: current.tenantId, entityType: type, identity });
      return present(ctx, view!);
    }
  }
  fail(Errors.CONFLICT, 'The restriction changed while it was being removed; run the command again.');
}

async function present(ctx: AdminContext, v: RestrictionView): Promise<BlockedEntity> {
  const base = {
    Entity: v.entityType,
    TenantId: v.tenantId,
    Reason: v.reason,
    Policy: v.policy,
    Action: v.action,
    Status: isActive(v, ctx.clock.now()) ? ('Restricted' as const) : ('Released' as const),
    CreatedDatetime: iso(v.createdAt),
    ChangedDatetime: iso(v.changedAt),
    ExpiresDatetime: v.expiresAt === null ? null : iso(v.expiresAt),
    History: v.history.map((h) => ({ At: iso(h.at), Event: h.event, Actor: h.actor, Reason: h.reason })),
  };
  if (v.entityType === 'Mailbox') return { SenderAddress: v.identity, ...base };
  const connector = (await ctx.store.loadDirectory()).connectors.find((c) => c.Id === v.identity);
  return { ConnectorId: v.identity, ConnectorName: connector?.Name ?? '(removed)', ...base };
}

/** -ConnectorId takes the connector's GUID; its name is accepted too, as admins type names. */
async function connectorIdOf(ctx: AdminContext, idOrName: string): Promise<string> {
  const key = idOrName.trim().toLowerCase();
  const d = await ctx.store.loadDirectory();
  const c = d.connectors.find((x) => x.Id.toLowerCase() === key || x.Name.toLowerCase() === key);
  return c?.Id ?? key;
}

export interface EntityQuery {
  entityType?: EntityType;
  /** Restricted (now), Released, or both when absent. */
  status?: 'Restricted' | 'Released';
  /** Case-insensitive text in the address, connector name or reason. */
  search?: string;
  sort?: 'Entity' | 'CreatedDatetime' | 'ChangedDatetime' | 'ExpiresDatetime' | 'Status' | 'Policy';
  order?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
}

/** The Restricted entities page: search, filter, sort and page over every entity ever restricted. */
export async function listRestrictedEntities(ctx: AdminContext, q: EntityQuery): Promise<{ total: number; items: BlockedEntity[] }> {
  authorize(ctx.actor, 'read');
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  const views = await ctx.store.listRestrictions({ tenantId, entityType: q.entityType });
  let items = await Promise.all(views.map((v) => present(ctx, v)));
  if (q.status) items = items.filter((e) => e.Status === q.status);
  if (q.search) {
    const needle = q.search.toLowerCase();
    items = items.filter((e) => [e.SenderAddress, e.ConnectorId, e.ConnectorName, e.Reason].some((f) => f?.toLowerCase().includes(needle)));
  }
  const sort = q.sort ?? 'CreatedDatetime';
  const name = (e: BlockedEntity): string => e.SenderAddress ?? e.ConnectorName ?? '';
  // No expiry is the latest expiry of all.
  const key = (e: BlockedEntity): string => (sort === 'Entity' ? name(e) : String(e[sort] ?? (sort === 'ExpiresDatetime' ? '9999-12-31' : '')));
  const dir = (q.order ?? (sort === 'Entity' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
  // Ties broken by name (then id), so pages never overlap or skip when many share a date; in the same
  // direction, so the other order is the same list reversed (all "Never" rows reverse too).
  items.sort((a, b) => dir * (key(a).localeCompare(key(b)) || name(a).localeCompare(name(b)) || (a.ConnectorId ?? '').localeCompare(b.ConnectorId ?? '')));
  const pageSize = q.pageSize ?? 50;
  const page = q.page ?? 1;
  return { total: items.length, items: items.slice((page - 1) * pageSize, page * pageSize) };
}

/** One entity with its history and its sending per hour over the last 7 days. */
export async function getRestrictedEntity(ctx: AdminContext, entityType: EntityType, identity: string): Promise<BlockedEntity & { SendingByHour: Array<{ Hour: string; External: number; Internal: number; Messages: number }> }> {
  authorize(ctx.actor, 'read');
  const id = entityType === 'Mailbox' ? normalizeAddress(identity, 'SenderAddress') : await connectorIdOf(ctx, identity);
  const tenantId = tenantFilter(ctx, await ctx.store.loadDirectory());
  const [view] = await ctx.store.listRestrictions({ tenantId, entityType, identity: id });
  if (!view) fail(Errors.NOT_FOUND, `${entityType === 'Mailbox' ? 'Sender' : 'Connector'} ${printable(identity)} has never been restricted.`);
  const fromHour = Math.floor(ctx.clock.now() / 3_600_000) - 7 * 24 + 1;
  const hours = await ctx.store.sendingHistory({ tenantId: view.tenantId, type: entityType, identity: id }, fromHour);
  return {
    ...(await present(ctx, view)),
    SendingByHour: hours.map((h) => ({ Hour: new Date(h.hour * 3_600_000).toISOString(), External: h.external, Internal: h.internal, Messages: h.messages })),
  };
}

const THIRTY_DAYS = 30 * 86_400_000;

/** Spec §1: an account can be unblocked only so often; past the limit only a Global Administrator may. */
function checkUnblockLimit(ctx: AdminContext, history: readonly HistoryEntry[], now: number, what: string): void {
  const limit = ctx.unblockLimit ?? 3;
  const recent = history.filter((h) => h.event === 'Unblocked' && now - h.at < THIRTY_DAYS).length;
  if (recent >= limit && ctx.actor.role !== 'Global Administrator' && ctx.actor.role !== 'System') {
    fail(
      Errors.UNBLOCK_LIMIT,
      `${what} was unblocked ${recent} times in the last 30 days (the limit is ${limit}); only a Global Administrator can unblock it again.`,
    );
  }
}

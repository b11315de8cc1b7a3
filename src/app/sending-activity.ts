// Sending activity, which comparable products do not show: the senders closest to their limits right
// now (the share of each limit used), and one sender's recipients per hour over the last 7 days.
import { normalizeAddress } from '../domain/address.js';
import type { EffectiveLimits } from '../domain/policy.js';
import type { WindowTotals } from '../domain/rolling-window.js';
import type { EntityType, SenderRef } from '../domain/sender.js';
import { Errors, fail } from '../errors.js';
import type { CheckSend } from './check-send.js';
import { tenantFilter, type AdminContext } from './directory-change.js';
import { authorize } from './roles.js';
// The API's answers (src/shared/api-schemas.ts): built as those types, so no field is made that they would not send.
import type { HourCount, SenderActivity, SenderActivityDetail, SendingActivityList } from '../shared/api-schemas.js';

const HOUR = 3_600_000;
const round = (x: number): number => Math.round(x * 10_000) / 10_000;

/** The senders closest to a limit, most used first. */
export async function getSendingActivity(ctx: AdminContext, checkSend: CheckSend, opts: { limit?: number; search?: string } = {}): Promise<SendingActivityList> {
  authorize(ctx.actor, 'read');
  const d = await ctx.store.loadDirectory();
  const tenantId = tenantFilter(ctx, d);
  const names = new Map(d.connectors.map((c) => [c.Id, c.Name]));
  const needle = opts.search?.toLowerCase();
  const items: SenderActivity[] = [];
  for (const a of await checkSend.activity()) {
    if (tenantId !== undefined && a.sender.tenantId !== tenantId) continue;
    const item = present(a.sender, a.totals, a.limits, a.restriction !== undefined, names);
    if (needle && !item.Entity.toLowerCase().includes(needle)) continue;
    items.push(item);
  }
  items.sort((x, y) => y.Share - x.Share || x.Entity.localeCompare(y.Entity));
  return { At: new Date(ctx.clock.now()).toISOString(), Total: items.length, Items: items.slice(0, opts.limit ?? 50) };
}

/** One sender now, and its recipients per hour over the last 7 days (every hour, zeros included). */
export async function getSenderActivity(
  ctx: AdminContext,
  checkSend: CheckSend,
  entityType: EntityType,
  identity: string,
): Promise<SenderActivityDetail> {
  authorize(ctx.actor, 'read');
  const d = await ctx.store.loadDirectory();
  const own = tenantFilter(ctx, d);
  let sender: SenderRef;
  if (entityType === 'Mailbox') {
    const probe = checkSend.resolve({ stage: 'other', login: normalizeAddress(identity, 'Identity') });
    sender = probe!;
  } else {
    const key = identity.trim().toLowerCase();
    const c = d.connectors.find((x) => (own === undefined || x.TenantId === own) && (x.Id.toLowerCase() === key || x.Name.toLowerCase() === key));
    if (!c) fail(Errors.NOT_FOUND, `No inbound connector '${identity}' exists in this tenant.`);
    sender = { tenantId: c.TenantId, type: 'Connector', identity: c.Id };
  }
  if (own !== undefined && sender.tenantId !== own) fail(Errors.NOT_FOUND, `No sender '${identity}' in this tenant.`);
  const now = ctx.clock.now();
  const lastHour = Math.floor(now / HOUR);
  const fromHour = lastHour - 7 * 24 + 1;
  const stored = new Map((await ctx.store.sendingHistory(sender, fromHour)).map((h) => [h.hour, h]));
  const restriction = (await ctx.store.listRestrictions({ tenantId: sender.tenantId, entityType: sender.type, identity: sender.identity, activeAt: now }))[0];
  const ByHour: HourCount[] = [];
  for (let h = fromHour; h <= lastHour; h++) {
    const c = stored.get(h);
    ByHour.push({ Hour: new Date(h * HOUR).toISOString(), External: c?.external ?? 0, Internal: c?.internal ?? 0, Messages: c?.messages ?? 0 });
  }
  const names = new Map(d.connectors.map((c) => [c.Id, c.Name]));
  return { ...present(sender, await checkSend.totalsOf(sender), checkSend.limitsOf(sender), restriction !== undefined, names), ByHour };
}

function present(sender: SenderRef, t: WindowTotals, l: EffectiveLimits, restricted: boolean, connectorNames: ReadonlyMap<string, string>): SenderActivity {
  const ShareExternal = round(t.externalLastHour / l.externalPerHour);
  const ShareInternal = round(t.internalLastHour / l.internalPerHour);
  const ShareDay = round(t.recipientsLast24h / l.perDay);
  return {
    EntityType: sender.type,
    Entity: sender.type === 'Mailbox' ? sender.identity : (connectorNames.get(sender.identity) ?? sender.identity),
    ...(sender.type === 'Connector' ? { ConnectorId: sender.identity } : {}),
    TenantId: sender.tenantId,
    Policy: l.policyName,
    Action: l.action,
    ExternalLastHour: t.externalLastHour,
    InternalLastHour: t.internalLastHour,
    Last24Hours: t.recipientsLast24h,
    MessagesLastMinute: t.messagesLastMinute,
    LimitExternalPerHour: l.externalPerHour,
    LimitInternalPerHour: l.internalPerHour,
    LimitPerDay: l.perDay,
    ShareExternal,
    ShareInternal,
    ShareDay,
    Share: Math.max(ShareExternal, ShareInternal, ShareDay),
    Restricted: restricted,
  };
}

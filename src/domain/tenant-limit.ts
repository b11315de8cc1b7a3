// The tenant external recipient limit (TERRL, docs/spec.md §4; docs/tenancy.md): external recipients the
// whole tenant sends in a rolling 24 h. The counters hold it as one more subject (the tenant itself),
// reserved beside the sender at RCPT; these are the decisions around it, pure, `now` passed in.
import type { DomainEvent } from './events.js';
import type { ReplyId } from './replies.js';
import { isActive, restrict, type Restriction, type Transition } from './restriction.js';
import type { WindowTotals } from './rolling-window.js';
import { tenantRef } from './sender.js';

/** The Policy a tenant restriction names (there is no outbound spam policy behind it). */
export const TENANT_LIMIT_POLICY = 'TenantExternalRecipientLimit';

/**
 * What a restricted tenant's message is refused with, or null when it goes on: an external recipient at
 * RCPT gets 5.7.233; a message that reaches its end with `external` recipients the tenant did not hold
 * for it at RCPT (a driver that asks only at the end) gets 5.7.705. Internal mail flows.
 */
export function tenantRefusal(r: Restriction | undefined, now: number, stage: 'rcpt' | 'end', external: number): ReplyId | null {
  if (external <= 0 || !isActive(r, now)) return null;
  return stage === 'rcpt' ? 'tenantExternalLimit' : 'tenantRestricted';
}

/** `TenantExternalRecipientLimitExceeded;…`, in the `key=value;` shape of the other Reason strings (reason.ts). */
export function tenantReason(
  kind: 'TenantExternalRecipientLimitExceeded' | 'SuspiciousTenantSending',
  used: number,
  limit: number,
  share?: number,
): string {
  const parts: string[] = [kind];
  if (share !== undefined) parts.push(`EarlyWarningShare=${Math.round(share * 100)}%`);
  parts.push(`ExternalRecipientCountLast24Hours=${used}`, `TenantExternalRecipientLimitPerDay=${limit}`, `Policy=${TENANT_LIMIT_POLICY}`);
  return `${parts.join(';')};`;
}

/**
 * The tenant would go over its limit (`wouldBe` external recipients in 24 h): restricted until a provider-level Global Administrator unblocks it
 * (BlockUser: a compromised tenant should not be let loose again by the clock alone).
 */
export function restrictTenant(tenantId: string, wouldBe: number, limit: number, now: number): Transition {
  // `wouldBe`: the tenant's count with the refused recipient, as the spec's Reason counts go (reason.ts).
  const reason = tenantReason('TenantExternalRecipientLimitExceeded', wouldBe, limit);
  return restrict(tenantRef(tenantId), { reason, policy: TENANT_LIMIT_POLICY, action: 'BlockUser', now });
}

/**
 * Early warning (docs/spec.md §5, "Suspicious tenant sending patterns observed"): an admitted message
 * brings the tenant to `share` of its limit or more, still within it.
 */
export function tenantEarlyWarning(
  tenantId: string,
  totals: WindowTotals,
  external: number,
  limit: number,
  share: number | undefined,
  now: number,
): DomainEvent | null {
  if (share === undefined || !(share > 0 && share < 1) || limit <= 0 || external <= 0) return null;
  const used = totals.externalLast24h + external;
  if (used < share * limit || used >= limit) return null;
  return {
    type: 'SuspiciousSending',
    at: now,
    sender: tenantRef(tenantId),
    policy: TENANT_LIMIT_POLICY,
    reason: tenantReason('SuspiciousTenantSending', used, limit, share),
  };
}

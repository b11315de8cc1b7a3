// The shapes the API answers with (see /api/openapi.json), as far as the portal reads them. Where the
// server has a strict response schema (src/shared/api-schemas.ts) the type is its Static<>, imported
// type-only: nothing of the server reaches the bundle.
import type { HourCount, SenderActivity as ActivityRow } from '../../src/shared/api-schemas.js';
export type {
  AcceptedDomain,
  AdminAccount,
  Alert,
  AlertDetail,
  AlertList,
  AlertWebhook,
  AuditConfig,
  AuditRecord,
  InboundConnector,
  NewAlertWebhook,
  RecipientPermission as SendAsGrant,
  Tenant,
} from '../../src/shared/api-schemas.js';

export type {
  RestrictedEntity,
  RestrictedEntityDetails,
  RestrictedEntityList,
  SenderActivityDetail,
  SendingActivityList,
  RestrictionEvent as HistoryEntry,
} from '../../src/shared/api-schemas.js';
import type { RestrictedEntity } from '../../src/shared/api-schemas.js';
export type EntityType = RestrictedEntity['Entity'];

export type { HourCount };
/** A sender's activity; ByHour is there when one sender is asked for. */
export type SenderActivity = ActivityRow & { ByHour?: HourCount[] };

export const entityName = (e: RestrictedEntity): string => e.SenderAddress ?? e.ConnectorName ?? e.ConnectorId ?? e.TenantName ?? '';
export const entityId = (e: RestrictedEntity): string => e.SenderAddress ?? e.ConnectorId ?? (e.Entity === 'Tenant' ? e.TenantId : '');

/** Who may unblock a row: a tenant only a provider-level Global Administrator (docs/tenancy.md), the rest whoever may change. */
export const mayUnblock = (
  e: RestrictedEntity,
  s: { canChange: boolean; canAdminister: boolean; account: { tenantId: string | null } },
): boolean => e.Status === 'Restricted' && (e.Entity === 'Tenant' ? s.canAdminister && s.account.tenantId === null : s.canChange);

/** "EmailSendingLimitExceeded;ExceedingLimitType=External;…" → a sentence for the list. */
export function reasonSummary(reason: string): string {
  const [head, ...rest] = reason.split(';');
  const fields = new Map(rest.map((p) => p.split('=') as [string, string]).filter((kv) => kv.length === 2));
  const words = (head ?? '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const sentence = words ? words.charAt(0).toUpperCase() + words.slice(1) : reason;
  const type = fields.get('ExceedingLimitType');
  return type ? `${sentence} (${type.toLowerCase()})` : sentence;
}

/** The key=value parts of a reason, for the details. */
export function reasonFields(reason: string): Array<[string, string]> {
  return reason
    .split(';')
    .slice(1)
    .map((p) => {
      const i = p.indexOf('=');
      return i > 0 ? ([p.slice(0, i), p.slice(i + 1)] as [string, string]) : null;
    })
    .filter((x): x is [string, string] => x !== null);
}

/** A restriction's policy for people: a connector's own limits are not a policy name. */
export function policyLabel(policy: string | null): string {
  if (!policy) return '—';
  const connector = /^InboundConnector:(.*)$/.exec(policy);
  return connector ? `Connector limits (${connector[1]})` : policy;
}

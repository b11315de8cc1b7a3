// The shapes the API answers with (see /api/openapi.json), as far as the portal reads them.

export type EntityType = 'Mailbox' | 'Connector';

export interface HistoryEntry {
  At: string;
  Event: string;
  Actor: string;
  Reason?: string | null;
}

export interface RestrictedEntity {
  Entity: EntityType;
  SenderAddress?: string;
  ConnectorId?: string;
  ConnectorName?: string;
  Reason: string;
  Status: 'Restricted' | 'Released' | string;
  TenantId: string;
  Policy: string | null;
  Action: string | null;
  CreatedDatetime: string;
  ChangedDatetime: string;
  ExpiresDatetime: string | null;
  History?: HistoryEntry[];
}

export interface HourCount {
  Hour: string;
  External: number;
  Internal: number;
  Messages: number;
}

export interface SenderActivity {
  Entity: string;
  EntityType: EntityType;
  ConnectorId?: string;
  TenantId: string;
  Policy: string;
  Action: string;
  ExternalLastHour: number;
  InternalLastHour: number;
  Last24Hours: number;
  MessagesLastMinute: number;
  LimitExternalPerHour: number;
  LimitInternalPerHour: number;
  LimitPerDay: number;
  ShareExternal: number;
  ShareInternal: number;
  ShareDay: number;
  Share: number;
  Restricted: boolean;
  ByHour?: HourCount[];
}

export const entityName = (e: RestrictedEntity): string => e.SenderAddress ?? e.ConnectorName ?? e.ConnectorId ?? '';
export const entityId = (e: RestrictedEntity): string => e.SenderAddress ?? e.ConnectorId ?? '';

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

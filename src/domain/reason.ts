// The Reason string of a restriction, `;`-separated key=value pairs in the shape EOP uses
// (docs/spec.md §2: `OutboundMailLast24Hours=<y>;…`, `EmailSendingLimitExceeded;…;ExceedingLimitType=…`),
// so scripts written for Get-BlockedSenderAddress output can parse ours.
import type { WindowTotals } from './rolling-window.js';

export type LimitName =
  | 'RecipientLimitExternalPerHour'
  | 'RecipientLimitInternalPerHour'
  | 'RecipientLimitPerDay'
  | 'RecipientsPerDay'
  | 'MessagesPerMinute'
  | 'RecipientsPerMessage';

const LIMIT_TYPE: Record<LimitName, string> = {
  RecipientLimitExternalPerHour: 'External',
  RecipientLimitInternalPerHour: 'Internal',
  RecipientLimitPerDay: 'Daily',
  RecipientsPerDay: 'ServiceDaily',
  MessagesPerMinute: 'MessageRate',
  RecipientsPerMessage: 'PerMessage',
};

export interface ReasonFacts {
  readonly limit: LimitName;
  readonly limitValue: number;
  readonly totals: WindowTotals;
  readonly messageRecipients: number;
  readonly policy?: string;
  readonly messageId?: string;
}

/**
 * The spec's keys first, in its order (docs/spec.md §2), so scripts that split on `;` find them where
 * EOP puts them; Outgate's own keys follow. Outgate splits internal and external recipients over the
 * rolling hour only, so the `…CountToday` keys carry that split (the 24-hour total is
 * `OutboundMailLast24Hours`). `Last MessagetraceId` is the Postfix queue id when the MTA sent one.
 */
export function reasonString(f: ReasonFacts): string {
  const parts = [
    'EmailSendingLimitExceeded',
    `InternalRecipientCountToday=${f.totals.internalLastHour}`,
    `ExternalRecipientCountToday=${f.totals.externalLastHour}`,
    `ExceedingLimitType=${LIMIT_TYPE[f.limit]}`,
    `Last MessagetraceId=${f.messageId ?? ''}`,
    `LastMessageRcptCount=${f.messageRecipients}`,
    `${f.limit}=${f.limitValue}`,
    `OutboundMailLast24Hours=${f.totals.recipientsLast24h}`,
  ];
  if (f.policy !== undefined) parts.push(`Policy=${f.policy}`);
  return `${parts.join(';')};`;
}

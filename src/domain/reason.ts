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
 * EOP puts them; Outgate's own keys follow. "Today" is the rolling 24 hours the daily limit counts (EOP's
 * own day is rolling too), so the `…CountToday` keys are that window's internal/external split and add
 * up to `OutboundMailLast24Hours`. `Last MessagetraceId` is the Postfix queue id when the MTA sent one.
 */
export function reasonString(f: ReasonFacts): string {
  const parts = [
    'EmailSendingLimitExceeded',
    `InternalRecipientCountToday=${f.totals.internalLast24h}`,
    `ExternalRecipientCountToday=${f.totals.externalLast24h}`,
    `ExceedingLimitType=${LIMIT_TYPE[f.limit]}`,
    `Last MessagetraceId=${f.messageId ?? ''}`,
    `LastMessageRcptCount=${f.messageRecipients}`,
    `${f.limit}=${f.limitValue}`,
    `OutboundMailLast24Hours=${f.totals.recipientsLast24h}`,
  ];
  if (f.policy !== undefined) parts.push(`Policy=${f.policy}`);
  return `${parts.join(';')};`;
}

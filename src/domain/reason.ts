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

export function reasonString(f: ReasonFacts): string {
  const parts = [
    'EmailSendingLimitExceeded',
    `ExceedingLimitType=${LIMIT_TYPE[f.limit]}`,
    `${f.limit}=${f.limitValue}`,
    `OutboundMailLast24Hours=${f.totals.recipientsLast24h}`,
    `ExternalRecipientCountLastHour=${f.totals.externalLastHour}`,
    `InternalRecipientCountLastHour=${f.totals.internalLastHour}`,
    `LastMessageRcptCount=${f.messageRecipients}`,
  ];
  if (f.policy !== undefined) parts.push(`Policy=${f.policy}`);
  if (f.messageId) parts.push(`Last MessagetraceId=${f.messageId}`);
  return `${parts.join(';')};`;
}

// The one table of wire texts. Adapters serialize these (Postfix `action=`, SMTP replies, JSON);
// nothing else in the code base spells a reply. Texts and codes: docs/spec.md §1, §4.

export const REPLIES = {
  /** A restricted mailbox (docs/spec.md §1). */
  senderRestricted: { code: 550, status: '5.1.8', text: 'Access denied, bad outbound sender' },
  /** A restricted inbound connector (docs/spec.md §1). */
  connectorRestricted: { code: 550, status: '5.7.711', text: 'Access denied, bad inbound connector. AS(2204)' },
  /** Service recipient rate limit, 24 h sliding window (docs/spec.md §4). */
  dailyRecipientLimit: {
    code: 550,
    status: '5.1.90',
    text: "Your message can't be sent because you've reached your daily limit for message recipients",
  },
  /**
   * An external recipient of a tenant over its tenant external recipient limit (TERRL), or restricted
   * for it: internal mail still flows (docs/spec.md §4, docs/tenancy.md).
   */
  tenantExternalLimit: {
    code: 550,
    status: '5.7.233',
    text: "Your message can't be sent because your tenant exceeded its daily limit for sending email to external recipients (tenant external recipient rate limit)",
  },
  /** A whole message refused at its end because its tenant is restricted and it still has external recipients (docs/tenancy.md). */
  tenantRestricted: { code: 550, status: '5.7.705', text: 'Access denied, tenant has exceeded threshold' },
  /** Recipients per message (docs/spec.md §4). */
  tooManyRecipients: { code: 550, status: '5.5.3', text: 'RESOLVER.ADR.RecipLimit; too many recipients' },
  /** Service message rate limit: throttled, never restricted (docs/spec.md §4: "carried over to following minutes"). */
  messageRateExceeded: { code: 451, status: '4.7.1', text: 'Message rate limit exceeded, try again later' },
  /** An automatic forward to an external recipient under AutoForwardingMode Off or Automatic (docs/spec.md §3, FWD). */
  externalForwardingBlocked: {
    code: 550,
    status: '5.7.520',
    text: 'Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)',
  },
  /** More SMTP AUTH sessions of one login at once than serviceLimits.concurrentConnections (docs/spec.md §4). */
  concurrentConnections: { code: 432, status: '4.3.2', text: 'Concurrent connections limit exceeded.' },
  /**
   * No decision could be made (the store failed) and the fail mode is closed: try again later. A driver
   * whose protocol has its own way to say so uses that instead (Postfix: no reply, so its default_action).
   */
  storeUnavailable: { code: 451, status: '4.3.0', text: 'Temporary server error, try again later' },
} as const;

export type ReplyId = keyof typeof REPLIES;

/** `550 5.1.8 Access denied, bad outbound sender` */
export function replyLine(id: ReplyId): string {
  const r = REPLIES[id];
  return `${r.code} ${r.status} ${r.text}`;
}

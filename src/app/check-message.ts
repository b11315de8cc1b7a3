// POST /api/v1/check: the decision the Postfix policy server makes, for applications that send through
// their own code. The message is the same per-message check the Postfix driver feeds (each recipient at
// RCPT, then the whole message at END-OF-MESSAGE), so it is judged, counted, restricted, failed open or
// closed, and logged exactly the same.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { hasControlCharacter, normalizeAddress, printable } from '../domain/address.js';
import { replyLine, type ReplyId } from '../domain/replies.js';
import { isActive } from '../domain/restriction.js';
import { tenantRef, type SenderRef } from '../domain/sender.js';
import { Errors, fail } from '../errors.js';
import type { CheckResult, CheckSend, SendRequest } from './check-send.js';
import type { AdminContext } from './directory-change.js';
import { authorize } from './roles.js';
// The answer is the API's schema type (its fields are described there): no field the schema would drop.
import type { CheckAnswer } from '../shared/api-schemas.js';

export interface CheckMessageInput {
  /** The authenticated submitter (what Postfix knows as sasl_username). */
  Sender?: string;
  /** The From address; selects the policy when Sender may send as it (docs/spec.md §3). Defaults to Sender. */
  From?: string;
  Recipients: readonly string[];
  /** Where unauthenticated mail comes from: counted as the inbound connector that covers it. */
  ClientAddress?: string;
  MessageId?: string;
}


/** The replies a tenant's restriction gives (tenant-limit.ts tenantRefusal), not the sender's. */
const TENANT_REPLIES: ReadonlySet<ReplyId> = new Set<ReplyId>(['tenantExternalLimit', 'tenantRestricted']);

const entityOf = (s: SenderRef) => ({ EntityType: s.type, Identity: s.identity, TenantId: s.tenantId });

export async function checkMessage(ctx: AdminContext, checkSend: CheckSend, input: CheckMessageInput): Promise<CheckAnswer> {
  authorize(ctx.actor, 'check');
  if (!input.Sender && !input.ClientAddress) fail(Errors.MISSING_PARAMETER, 'Give Sender (the authenticated submitter) or ClientAddress (for mail from an inbound connector).');
  for (const [field, value] of [['Sender', input.Sender], ['MessageId', input.MessageId]] as const) {
    if (value !== undefined && hasControlCharacter(value)) fail(Errors.INVALID_ARGUMENT, `${field} '${printable(value)}' contains a control character.`);
  }
  if (input.ClientAddress && isIP(input.ClientAddress) === 0) fail(Errors.INVALID_ARGUMENT, `ClientAddress '${printable(input.ClientAddress)}' is not an IP address.`);
  const recipients = input.Recipients.map((r) => normalizeAddress(r, 'Recipients'));
  const from = input.From === undefined ? input.Sender : normalizeAddress(input.From, 'From');
  const base: Omit<SendRequest, 'stage'> = { login: input.Sender, clientAddress: input.ClientAddress, from, messageId: input.MessageId };

  const sender = checkSend.resolve({ stage: 'other', ...base });
  // A tenant's key checks only its own tenant's senders; another tenant's do not exist for it.
  if (sender && ctx.actor.tenantId !== null && sender.tenantId !== ctx.actor.tenantId) fail(Errors.NOT_FOUND, `No sender '${printable(input.Sender ?? input.ClientAddress ?? '')}' in your tenant.`);
  // A fresh instance per check: two checks naming the same MessageId are two messages, each counted.
  const message = checkSend.begin(randomUUID(), 'http');
  for (const recipient of recipients) {
    const r = await message.decide({ stage: 'rcpt', ...base, recipient });
    if (r.decision.kind !== 'permit') {
      // The message stops here: the recipients it held so far are free again.
      message.abandon();
      return present(checkSend, r, false, recipient, ctx.clock.now());
    }
  }
  const end = await message.decide({ stage: 'end', ...base, recipientCount: message.recipients });
  // An end that could not be decided (store failure) leaves the message open: nothing more will come.
  message.abandon();
  return await present(checkSend, end, end.decision.kind === 'permit' && end.sender !== undefined, null, ctx.clock.now());
}

async function present(checkSend: CheckSend, r: CheckResult, counted: boolean, refusedRecipient: string | null, now: number): Promise<CheckAnswer> {
  const d = r.decision;
  const totals = r.sender ? await checkSend.totalsOf(r.sender) : undefined;
  const restricted = isActive(r.restriction, now);
  const tenantRestricted = r.sender !== undefined && checkSend.tenantRestrictionOf(r.sender.tenantId) !== undefined;
  const by = d.kind !== 'refuse' || !r.sender ? undefined : TENANT_REPLIES.has(d.reply) ? tenantRef(r.sender.tenantId) : restricted ? r.sender : undefined;
  return {
    Decision: d.kind === 'permit' ? 'Accept' : d.kind === 'refuse' ? 'Reject' : 'Defer',
    SmtpReply: d.kind === 'permit' ? null : replyLine(d.reply),
    Counted: counted,
    RefusedRecipient: d.kind === 'permit' ? null : refusedRecipient,
    Sender: r.sender ? entityOf(r.sender) : null,
    Policy: r.limits?.policyName ?? null,
    Restricted: restricted,
    RestrictionExpires: restricted && r.restriction?.expiresAt ? new Date(r.restriction.expiresAt).toISOString() : null,
    TenantRestricted: tenantRestricted,
    RestrictedBy: by ? entityOf(by) : null,
    Counts: totals ? { ExternalLastHour: totals.externalLastHour, InternalLastHour: totals.internalLastHour, Last24Hours: totals.recipientsLast24h, MessagesLastMinute: totals.messagesLastMinute } : null,
    Limits: r.limits ? { ExternalPerHour: r.limits.externalPerHour, InternalPerHour: r.limits.internalPerHour, PerDay: r.limits.perDay, Action: r.limits.action } : null,
  };
}

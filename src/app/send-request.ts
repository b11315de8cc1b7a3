// What a driver asks about one stage of a message, and what the decision comes back as: the shapes
// shared by the checkSend use case, the per-message check and the decision record.
import type { Decision } from '../domain/decision.js';
import type { Tally } from '../domain/evaluate.js';
import type { Header } from '../domain/message-headers.js';
import type { SpamVerdict } from '../domain/outbound-spam.js';
import type { EffectiveLimits } from '../domain/policy.js';
import type { Restriction } from '../domain/restriction.js';
import type { WindowTotals } from '../domain/rolling-window.js';
import type { SenderRef } from '../domain/sender.js';

export type Stage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data' | 'end' | 'other';

export interface SendRequest {
  readonly stage: Stage;
  /** Authenticated submitter (SASL login); empty when the client did not authenticate. */
  readonly login?: string;
  readonly clientAddress?: string;
  /** Envelope sender (From on the check API): selects the policy when the login may send as it (docs/spec.md §3). */
  readonly from?: string;
  readonly recipient?: string;
  /** Recipients the MTA accepted (END-OF-MESSAGE). */
  readonly recipientCount?: number;
  readonly messageId?: string;
  /**
   * At 'end', from a driver that sees the message (the milter): the header fields message-headers.ts
   * reads. Its From then selects the policy (the 5322.From, as EOP does); forward marks are checked.
   */
  readonly headers?: readonly Header[];
  /** At 'end', when spam scanning is on: the whole message (header lines, empty line, body) to scan. */
  readonly content?: Buffer;
}

export interface CheckResult {
  readonly decision: Decision;
  /** Who was counted, or undefined when the mail is not ours to count (DUNNO) or no decision could be made. */
  readonly sender?: SenderRef;
  readonly limits?: EffectiveLimits;
  readonly totals?: WindowTotals;
  /** The message's recipients as this decision judged them (RCPT and END). */
  readonly tally?: Tally;
  readonly restriction?: Restriction;
  /** Admitted but suspicious: also deliver to these (the default policy's BccSuspiciousOutboundAdditionalRecipients). */
  readonly copyTo?: readonly string[];
  /** The spam scanner's verdict on an admitted message (the milter marks spam for the high-risk route). */
  readonly spam?: SpamVerdict;
}

// One message as a driver sees it. The checkSend use case creates it for a message; the driver feeds
// it the stages it hears (MAIL, RCPT, END/DATA) and tells it when the message is abandoned. It owns
// the message's conversation and what the counters hold for it, and every answer passes the decision
// record (fail mode, metrics, log), so a driver only translates its protocol to stages and back.
import { Conversation } from '../domain/conversation.js';
import type { DecisionRecord } from './decision-record.js';
import type { Sync } from './ports.js';
import type { CheckResult, SendRequest } from './send-request.js';

/** What a message check needs from the use case (CheckSend provides it). */
export interface StageDecider {
  decideStage(req: SendRequest, message: MessageCheck): CheckResult | Promise<CheckResult>;
  release(key: string, message: string): Sync<void>;
}

export class MessageCheck {
  /** The distinct recipients admitted so far, for the message's tally at its end. */
  readonly conversation: Conversation;
  /** The sender whose counters hold recipients for this message, until its end or abandonment. */
  heldBy: string | undefined = undefined;
  /** The tenant whose counters hold this message's external recipients (docs/tenancy.md), likewise. */
  tenantHeldBy: string | undefined = undefined;

  constructor(
    private readonly decider: StageDecider,
    private readonly record: DecisionRecord,
    /** The message instance (Postfix `instance`); empty: one that holds nothing. */
    readonly id: string,
    /** Who asks (postfix, http): in the decision log. */
    readonly driver: string,
  ) {
    this.conversation = new Conversation(id);
  }

  /** Recipients admitted so far. */
  get recipients(): number {
    return this.conversation.size;
  }

  /**
   * Decides one stage. Synchronous when nothing has to be written (most RCPT checks), so a driver can
   * reply in the same turn. Never throws nor rejects: a store failure comes back as the fail mode's
   * answer. `started` (performance.now()) is when the driver received the request.
   */
  decide(req: SendRequest, started: number = performance.now()): CheckResult | Promise<CheckResult> {
    let result: CheckResult | Promise<CheckResult>;
    try {
      result = this.decider.decideStage(req, this);
    } catch (err) {
      return this.record.failed(this, req, err, started);
    }
    if (!(result instanceof Promise)) return this.record.decided(this, req, result, started);
    return result.then(
      (r) => this.record.decided(this, req, r, started),
      (err: unknown) => this.record.failed(this, req, err, started),
    );
  }

  /**
   * The message will not reach its end (the client went on to another one, hung up, or was refused):
   * its recipients stop counting against the sender now rather than when their reservation expires.
   */
  abandon(): void {
    const tenant = this.tenantHeldBy;
    this.tenantHeldBy = undefined;
    if (tenant !== undefined) this.releaseHeld(tenant);
    const key = this.heldBy;
    if (key === undefined) return;
    this.heldBy = undefined;
    this.releaseHeld(key);
  }

  private releaseHeld(key: string): void {
    try {
      const released = this.decider.release(key, this.id);
      if (released instanceof Promise) released.catch((err: unknown) => this.record.releaseFailed(this, err));
    } catch (err) {
      this.record.releaseFailed(this, err);
    }
  }
}

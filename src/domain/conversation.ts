// Per-message state, owned by the use case's MessageCheck (one per Postfix `instance` or send check):
// the distinct recipients seen at RCPT, split internal/external, so a message is counted once, at its
// end, with the recipients accepted.
import type { Tally } from './evaluate.js';

export class Conversation {
  private readonly recipients = new Map<string, boolean>();
  private externalCount = 0;

  constructor(readonly id: string) {}

  /** The tally as it would be with `recipient` added; a recipient asked about twice counts once. */
  tallyWith(recipient: string, internal: boolean): Tally {
    const t = this.tally();
    if (this.recipients.has(recipient)) return t;
    return internal ? { external: t.external, internal: t.internal + 1 } : { external: t.external + 1, internal: t.internal };
  }

  add(recipient: string, internal: boolean): void {
    if (this.recipients.has(recipient)) return;
    this.recipients.set(recipient, internal);
    if (!internal) this.externalCount++;
  }

  tally(): Tally {
    return { external: this.externalCount, internal: this.recipients.size - this.externalCount };
  }

  get size(): number {
    return this.recipients.size;
  }
}

// Outbound spam scanning for checkSend: asks the scanner (Rspamd) about a message at its end and keeps
// each sender's scanned and spam messages over 24 hours, in this node's memory (a restart, or another
// node, starts them afresh; docs/postfix.md). What a verdict leads to is decided in the domain
// (outbound-spam.ts); a scanner that fails or is slow leaves the message unscanned, never refused.
import { assessSpam, SpamTally, type SpamThreshold, type SpamVerdict } from '../domain/outbound-spam.js';
import type { DomainEvent } from '../domain/events.js';
import type { ThresholdAction } from '../domain/policy.js';
import type { Transition } from '../domain/restriction.js';
import type { SenderRef } from '../domain/sender.js';
import type { Log, ScanRequest, SpamScanner } from './ports.js';

export class SpamWatch {
  private readonly tallies = new Map<string, SpamTally>();
  private lastFailureLog = -Infinity;

  constructor(
    private readonly scanner: SpamScanner,
    private readonly threshold: SpamThreshold,
    private readonly log: Log,
  ) {}

  /** The scanner's verdict, or undefined when it could not give one (logged, at most every 10 s). */
  async scan(req: ScanRequest): Promise<SpamVerdict | undefined> {
    try {
      return await this.scanner.scan(req);
    } catch (err) {
      const now = performance.now();
      if (now - this.lastFailureLog >= 10_000) {
        this.lastFailureLog = now;
        this.log.warn({ err }, 'spam scan failed: messages go unscanned');
      }
      return undefined;
    }
  }

  /** Counts an admitted, scanned message; a spam one may restrict its sender (and raises the warning). */
  record(args: { key: string; sender: SenderRef; verdict: SpamVerdict; action: ThresholdAction; policy: string; messageId: string | undefined; now: number }): { restrict: Transition | null; events: DomainEvent[] } {
    let tally = this.tallies.get(args.key);
    if (!tally) {
      tally = new SpamTally();
      this.tallies.set(args.key, tally);
    }
    tally.add(args.now, args.verdict.spam);
    if (!args.verdict.spam) return { restrict: null, events: [] };
    return assessSpam({ sender: args.sender, tally: tally.last24h(args.now), threshold: this.threshold, action: args.action, policy: args.policy, messageId: args.messageId, now: args.now });
  }

  /** Forgets senders with nothing scanned in the last 24 hours. */
  compact(now: number): void {
    for (const [key, t] of this.tallies) if (t.last24h(now).scanned === 0) this.tallies.delete(key);
  }
}

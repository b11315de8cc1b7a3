// The one place every driver's decisions pass on their way out: the fail mode turns a store failure
// into an answer (closed by default: try again later; open: let the message through), and each
// decision is counted in the metrics and logged once, with its reason and the counts it was made on.
import { PERMIT, UNAVAILABLE } from '../domain/decision.js';
import { replyLine } from '../domain/replies.js';
import { LogThrottle } from '../log-throttle.js';
import type { Metrics } from './metrics.js';
import type { Log } from './ports.js';
import type { CheckResult, SendRequest } from './send-request.js';

/** `policy.failMode`: what a driver answers when the store fails. */
export type FailMode = 'closed' | 'open';

/** Which message of which driver a decision belongs to (a MessageCheck). */
export interface MessageRef {
  readonly id: string;
  readonly driver: string;
}

/** During an outage every decision fails: one log line at once, then one per interval with a count. */
const FAILURE_LOG_EVERY_MS = 10_000;

const FAILED_CLOSED: CheckResult = Object.freeze({ decision: UNAVAILABLE });
const FAILED_OPEN: CheckResult = Object.freeze({ decision: PERMIT });

export class DecisionRecord {
  private readonly failures = new LogThrottle(FAILURE_LOG_EVERY_MS);

  constructor(
    private failMode: FailMode,
    private readonly metrics: Metrics,
    private readonly log: Log,
  ) {
    // Said once at start: an operator who chose to let mail through on failures should see it in the log.
    if (failMode === 'open') log.warn({ failMode }, 'policy.failMode=open: on a store failure mail is let through (DUNNO) instead of deferred');
  }

  /** A reload (SIGHUP) switching the fail mode; said in the log like the one at start. */
  setFailMode(mode: FailMode): void {
    if (mode === this.failMode) return;
    this.failMode = mode;
    this.log.warn({ failMode: mode }, `policy.failMode is now ${mode}: on a store failure mail is ${mode === 'open' ? 'let through (DUNNO)' : 'deferred'}`);
  }

  /** Counts and logs a decision; returns it, so the caller hands it on in the same turn. */
  decided(m: MessageRef, req: SendRequest, result: CheckResult, started: number): CheckResult {
    const kind = result.decision.kind;
    this.metrics.decision(req.stage, kind, (performance.now() - started) / 1000);
    // Refusals are what operators look for; permits (tens of thousands a second) only at debug.
    if (kind !== 'permit') this.log.info(lineOf(m, req, result), 'policy decision');
    else if (this.log.isLevelEnabled('debug')) this.log.debug(lineOf(m, req, result), 'policy decision');
    return result;
  }

  /** Applies the fail mode to a decision the store could not make. */
  failed(m: MessageRef, req: SendRequest, err: unknown, started: number): CheckResult {
    this.metrics.decision(req.stage, 'failed', (performance.now() - started) / 1000);
    this.metrics.storeError('policy-decision');
    const occurrences = this.failures.hit();
    if (occurrences > 0) {
      const fields = { err, instance: m.id, driver: m.driver, stage: req.stage, outcome: 'failed', occurrences };
      if (this.failMode === 'open') this.log.error(fields, 'store failure: letting the message through (policy.failMode=open)');
      else this.log.error(fields, 'store failure: the client is told to try again later (policy.failMode=closed)');
    }
    return this.failMode === 'open' ? FAILED_OPEN : FAILED_CLOSED;
  }

  /** A release that failed costs quota until the reservations expire, never a wrong admission. */
  releaseFailed(m: MessageRef, err: unknown): void {
    this.metrics.storeError('release');
    this.log.error({ err, instance: m.id, driver: m.driver }, 'releasing an abandoned message failed: its recipients stay held until they expire');
  }
}

function lineOf(m: MessageRef, req: SendRequest, r: CheckResult): object {
  const d = r.decision;
  const restricted = d.kind === 'refuse' && (d.reply === 'senderRestricted' || d.reply === 'connectorRestricted');
  return {
    instance: m.id,
    driver: m.driver,
    stage: req.stage,
    outcome: d.kind,
    sender: r.sender,
    reply: d.kind === 'permit' ? undefined : replyLine(d.reply),
    // Why: the reply's rule, or for a restricted sender the restriction's own Reason (limit and counts).
    reason: d.kind !== 'permit' ? d.reply : r.sender ? 'withinLimits' : 'notCounted',
    restriction: restricted ? r.restriction?.reason : undefined,
    counts: r.totals,
    recipients: r.tally,
  };
}

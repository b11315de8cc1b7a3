// The checkSend use case: one decision for every driver (Postfix policy server, SMTP relay, HTTP check).
// Holds each sender's windows and restriction in memory (loaded from the store at start, kept in step
// with it through store changes); a check-and-add is synchronous, so it is atomic within the process,
// and its reply waits for the durable commit.
import { tryNormalizeAddress } from '../domain/address.js';
import type { Conversation } from '../domain/conversation.js';
import { PERMIT, type Decision } from '../domain/decision.js';
import { evaluate, reconcileTally, type Tally, type Verdict } from '../domain/evaluate.js';
import { SYSTEM, type DomainEvent } from '../domain/events.js';
import type { EffectiveLimits } from '../domain/policy.js';
import { EXPIRED_REASON, isActive, isExpired, release, type Restriction } from '../domain/restriction.js';
import { DAY_MINUTES, minuteOf, SendingWindow, type WindowTotals } from '../domain/rolling-window.js';
import { normalizeLogin, senderKey, type SenderRef } from '../domain/sender.js';
import type { ServiceLimits } from '../domain/service-limits.js';
import { Directory } from './directory.js';
import { NO_METRICS, type Metrics } from './metrics.js';
import type { Change, Clock, Store } from './ports.js';

export type Stage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data' | 'end' | 'other';

export interface SendRequest {
  readonly stage: Stage;
  /** Authenticated submitter (SASL login); empty when the client did not authenticate. */
  readonly login?: string;
  readonly clientAddress?: string;
  /** Envelope sender: selects the policy (spec §3 matches on From). */
  readonly from?: string;
  readonly recipient?: string;
  /** Recipients the MTA accepted (END-OF-MESSAGE). */
  readonly recipientCount?: number;
  readonly messageId?: string;
}

export interface CheckResult {
  readonly decision: Decision;
  /** Who was counted, or undefined when the mail is not ours to count (DUNNO). */
  readonly sender?: SenderRef;
  readonly limits?: EffectiveLimits;
  readonly totals?: WindowTotals;
  readonly restriction?: Restriction;
}

/**
 * Normalizing an address costs more than the rest of a check, and the same addresses recur. Two
 * generations: when the young one is full it becomes the old one, so a busy server keeps its working
 * set instead of dropping everything at once.
 */
class AddressCache {
  private young = new Map<string, string | null>();
  private old = new Map<string, string | null>();
  constructor(private readonly max = 200_000) {}
  get(raw: string, normalize: (s: string) => string | undefined): string | undefined {
    let v = this.young.get(raw);
    if (v === undefined) {
      v = this.old.get(raw);
      if (v === undefined) v = normalize(raw) ?? null;
      if (this.young.size >= this.max) {
        this.old = this.young;
        this.young = new Map();
      }
      this.young.set(raw, v);
    }
    return v ?? undefined;
  }
}

/** Map keys of cached senders, computed once: building a fresh key string per request adds up. */
const senderKeys = new WeakMap<SenderRef, string>();
const keyOf = (s: SenderRef): string => senderKeys.get(s) ?? senderKey(s);
const LOGIN_CACHE_MAX = 200_000;

/** Non-state events (a limit reached again and again) are recorded once per sender per this long. */
const EVENT_COOLDOWN_MS = 15 * 60_000;

export class CheckSend {
  private directory: Directory;
  private readonly windows = new Map<string, SendingWindow>();
  /** The sender of each window, for reports (sending activity). */
  private readonly senders = new Map<string, SenderRef>();
  private readonly restrictions = new Map<string, Restriction>();
  private readonly lastEvent = new Map<string, number>();
  private readonly addresses = new AddressCache();
  /** Login as Postfix sent it → the sender it counts as; rebuilt when the directory changes (tenants). */
  private loginSenders = new Map<string, SenderRef>();
  /** A reload started by a change; the next check waits for it, so a change is seen by the next request. */
  private syncing: Promise<void> | null = null;

  private constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly service: ServiceLimits,
    directory: Directory,
    private readonly metrics: Metrics,
    private readonly earlyWarningShare: number | undefined,
  ) {
    this.directory = directory;
    store.subscribe((c) => this.onChange(c));
  }

  /** `earlyWarningShare`: share of a limit (0-1) at which a sender raises the SuspiciousSending early warning. */
  static async start(store: Store, clock: Clock, service: ServiceLimits, metrics: Metrics = NO_METRICS, earlyWarningShare?: number): Promise<CheckSend> {
    const guard = new CheckSend(store, clock, service, new Directory(await store.loadDirectory(), service), metrics, earlyWarningShare);
    const now = clock.now();
    for (const { sender, bucket } of await store.loadWindows(minuteOf(now) - DAY_MINUTES)) guard.window(sender).restore(bucket);
    for (const r of await store.listRestrictions({ activeAt: now })) guard.setRestriction(senderKey(refOf(r)), r);
    return guard;
  }

  /** Who a request counts against: the authenticated login, else a configured connector, else nobody. */
  resolve(req: SendRequest): SenderRef | undefined {
    if (req.login) {
      let sender = this.loginSenders.get(req.login);
      if (!sender) {
        const identity = normalizeLogin(req.login);
        sender = { tenantId: this.directory.tenantOfLogin(identity), type: 'Mailbox', identity };
        senderKeys.set(sender, senderKey(sender));
        if (this.loginSenders.size >= LOGIN_CACHE_MAX) this.loginSenders = new Map();
        this.loginSenders.set(req.login, sender);
      }
      return sender;
    }
    const connector = req.clientAddress ? this.directory.connectorFor(req.clientAddress) : undefined;
    return connector ? { tenantId: connector.TenantId, type: 'Connector', identity: connector.Id } : undefined;
  }

  /**
   * Decides one request. Answers synchronously when nothing has to be written (most RCPT checks), so
   * the policy server can reply in the same turn; a promise when a count or restriction must be
   * durable first, or when a configuration reload is under way.
   */
  check(req: SendRequest, conversation: Conversation): CheckResult | Promise<CheckResult> {
    this.store.pollChanges();
    if (this.syncing) return this.syncing.then(() => this.decideRequest(req, conversation));
    return this.decideRequest(req, conversation);
  }

  private decideRequest(req: SendRequest, conversation: Conversation): CheckResult | Promise<CheckResult> {
    const sender = this.resolve(req);
    if (!sender) return { decision: PERMIT };
    const now = this.clock.now();
    const key = keyOf(sender);
    // Usually the envelope sender is the login itself: normalized once, as the sender's identity.
    const from = !req.from ? undefined : req.from === req.login && sender.type === 'Mailbox' && sender.identity.includes('@') ? sender.identity : this.addresses.get(req.from, tryNormalizeAddress);
    const limits = this.directory.limitsFor(sender, from);
    const restriction = this.activeRestriction(key, now);

    if (req.stage === 'rcpt') {
      const recipient = req.recipient ? this.addresses.get(req.recipient, tryNormalizeAddress) : undefined;
      const internal = recipient !== undefined && this.directory.isInternal(sender.tenantId, recipient);
      const tally = recipient !== undefined ? conversation.tallyWith(recipient, internal) : conversation.tally();
      const result = this.decide('rcpt', sender, limits, tally, restriction, now, req.messageId);
      // Only a permitted recipient joins the message; the result is synchronous unless it restricted.
      if (!(result instanceof Promise) && result.decision.kind === 'permit' && recipient !== undefined) conversation.add(recipient, internal);
      return result;
    }
    if (req.stage === 'end') {
      let seen = conversation.tally();
      const recipient = req.recipient ? this.addresses.get(req.recipient, tryNormalizeAddress) : undefined;
      if (seen.external + seen.internal === 0 && recipient !== undefined && req.recipientCount === 1) {
        seen = this.directory.isInternal(sender.tenantId, recipient) ? { external: 0, internal: 1 } : { external: 1, internal: 0 };
      }
      const tally = reconcileTally(seen, req.recipientCount ?? seen.external + seen.internal);
      return this.decide('end', sender, limits, tally, restriction, now, req.messageId);
    }
    // Any other stage: only a restriction matters (refused as early as the MTA asks).
    const decision: Decision = isActive(restriction, now)
      ? { kind: 'refuse', reply: sender.type === 'Connector' ? 'connectorRestricted' : 'senderRestricted' }
      : PERMIT;
    return { decision, sender, limits, restriction };
  }

  private decide(
    stage: 'rcpt' | 'end',
    sender: SenderRef,
    limits: EffectiveLimits,
    message: Tally,
    restriction: Restriction | undefined,
    now: number,
    messageId: string | undefined,
  ): CheckResult | Promise<CheckResult> {
    const key = keyOf(sender);
    const window = this.window(sender, key);
    const totals = window.totals(now);
    const verdict: Verdict = evaluate({ stage, now, sender, limits, service: this.service, totals, message, restriction, messageId, earlyWarningShare: this.earlyWarningShare });
    const events = verdict.events.filter((e) => this.worthRecording(key, e, now));
    const result: CheckResult = { decision: verdict.decision, sender, limits, totals, restriction: verdict.restrict?.restriction ?? restriction };

    if (verdict.restrict) {
      // In memory first, synchronously: a concurrent request for the same sender sees it at once.
      this.restrictions.set(key, verdict.restrict.restriction);
      this.metrics.restricted(sender.type);
      return this.store.applyTransition(verdict.restrict, { resetWindows: false }).then(() => result);
    }
    if (verdict.admit) {
      window.add(now, verdict.admit);
      return this.store.recordSends([{ sender, at: now, counts: verdict.admit }], events).then(() => result);
    }
    if (events.length > 0) return this.store.recordEvents(events).then(() => result);
    return result;
  }

  /** Releases BlockUserForToday restrictions whose time has come (the clock acts as 'system'). */
  async releaseExpired(): Promise<number> {
    const now = this.clock.now();
    let released = 0;
    for (const r of await this.store.listExpired(now)) {
      const t = release(r, { how: 'Expired', actor: SYSTEM, reason: EXPIRED_REASON, now });
      if (t && (await this.store.applyTransition(t, { from: r, resetWindows: false }))) released++;
    }
    return released;
  }

  /** Current totals of a sender (for the CLI, API and reports). */
  totalsOf(sender: SenderRef): WindowTotals {
    return this.window(sender).totals(this.clock.now());
  }

  /** Every sender with something in its windows now: its totals and the limits it is held to. */
  *activity(): Generator<{ sender: SenderRef; totals: WindowTotals; limits: EffectiveLimits; restriction: Restriction | undefined }> {
    const now = this.clock.now();
    for (const [key, w] of this.windows) {
      if (w.isEmpty(now)) continue;
      const sender = this.senders.get(key)!;
      const restriction = this.activeRestriction(key, now);
      yield { sender, totals: w.totals(now), limits: this.limitsOf(sender), restriction: isActive(restriction, now) ? restriction : undefined };
    }
  }

  /** The limits a sender is held to when it sends as itself (its login as the From). */
  limitsOf(sender: SenderRef): EffectiveLimits {
    return this.directory.limitsFor(sender, sender.type === 'Mailbox' ? sender.identity : undefined);
  }

  /** Drops senders with nothing left in any window, so memory follows active senders only. */
  compact(): void {
    const now = this.clock.now();
    for (const [key, w] of this.windows) {
      if (!w.isEmpty(now)) continue;
      this.windows.delete(key);
      this.senders.delete(key);
    }
  }

  private activeRestriction(key: string, now: number): Restriction | undefined {
    const r = this.restrictions.get(key);
    if (r && !isActive(r, now) && !isExpired(r, now)) this.restrictions.delete(key);
    return r;
  }

  private window(sender: SenderRef, key = keyOf(sender)): SendingWindow {
    let w = this.windows.get(key);
    if (!w) {
      w = new SendingWindow();
      this.windows.set(key, w);
      this.senders.set(key, sender);
    }
    return w;
  }

  private worthRecording(key: string, e: DomainEvent, now: number): boolean {
    if (e.type === 'SenderRestricted' || e.type === 'SenderReleased') return true;
    const k = `${key}\u0000${e.type}`;
    const last = this.lastEvent.get(k);
    if (last !== undefined && now - last < EVENT_COOLDOWN_MS) return false;
    this.lastEvent.set(k, now);
    return true;
  }

  private onChange(c: Change): void {
    if (c.kind === 'directory') {
      this.reloadDirectory();
    } else if (c.kind === 'windows-reset') {
      this.windows.delete(senderKey(c.sender));
      this.senders.delete(senderKey(c.sender));
    } else if (c.restriction) {
      this.setRestriction(senderKey(c.sender), c.restriction);
    } else {
      this.sync(this.store.getRestriction(c.sender).then((r) => this.setRestriction(senderKey(c.sender), r)));
    }
  }

  private setRestriction(key: string, r: Restriction | undefined): void {
    const was = this.restrictions.get(key);
    // Released before it would have expired: an admin unblocked it (here, or with the CLI elsewhere).
    if (was && r?.status === 'Released' && (r.expiresAt === null || r.changedAt < r.expiresAt)) this.metrics.unblocked(r.entityType);
    if (r?.status === 'Restricted') this.restrictions.set(key, r);
    else this.restrictions.delete(key);
  }

  private reloadDirectory(): void {
    this.sync(
      this.store.loadDirectory().then((snapshot) => {
        this.directory = new Directory(snapshot, this.service);
        // A new accepted domain can move a login to another tenant.
        this.loginSenders = new Map();
      }),
    );
  }

  private sync(work: Promise<void>): void {
    const all = Promise.all([this.syncing, work]).then(() => undefined);
    const current = all.finally(() => {
      if (this.syncing === current) this.syncing = null;
    });
    this.syncing = current;
  }
}

function refOf(r: Restriction): SenderRef {
  return { tenantId: r.tenantId, type: r.entityType, identity: r.identity };
}

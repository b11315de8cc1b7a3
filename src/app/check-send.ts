// The checkSend use case: one decision for every driver (Postfix policy server, SMTP relay, HTTP check).
// A driver opens a MessageCheck per message (begin) and feeds it stages; this class decides each one.
// Holds each sender's restriction in memory (loaded at start, kept in step through the change feed);
// each recipient is checked and reserved in one atomic step of the SendingCounters port, and an admitted
// message is committed there at its end, its reply waiting for the durable commit. When the counters
// answer synchronously (the embedded store), so does a check that writes nothing.
import { isNormalizedAddress, tryNormalizeAddress } from '../domain/address.js';
import { PERMIT, refuse, type Decision } from '../domain/decision.js';
import { evaluate, reconcileTally, type Tally, type Verdict } from '../domain/evaluate.js';
import { EVENT_COOLDOWN_MS, isRepeatable, SYSTEM, type DomainEvent } from '../domain/events.js';
import { forwardMark, fromAddress } from '../domain/message-headers.js';
import type { EffectiveLimits } from '../domain/policy.js';
import { policyAddress } from '../domain/recipient-permission.js';
import { foldSubaddress } from '../domain/subaddress.js';
import { EXPIRED_REASON, isActive, isExpired, release, reprieveUntil, type Restriction } from '../domain/restriction.js';
import type { WindowTotals } from '../domain/rolling-window.js';
import { normalizeLogin, senderKey, type SenderRef } from '../domain/sender.js';
import type { ServiceLimits } from '../domain/service-limits.js';
import { AuthSessions, OPEN_SESSION, type AuthSession } from './auth-sessions.js';
import { DecisionRecord, type FailMode } from './decision-record.js';
import { Directory } from './directory.js';
import { MessageCheck, type StageDecider } from './message-check.js';
import { TenantLimitStep } from './tenant-limit-step.js';
import { NO_METRICS, type Metrics } from './metrics.js';
import { detach } from './detach.js';
import type { SpamWatch } from './outbound-spam.js';
import type { SpamVerdict } from '../domain/outbound-spam.js';
import { NO_LOG, type Change, type ChangeFeed, type Clock, type DirectoryStore, type Log, type RecipientCaps, type RestrictionStore, type AuditStore, type SendingCounters, type Sync } from './ports.js';
import type { CheckResult, SendRequest } from './send-request.js';

export type { CheckResult, SendRequest, Stage } from './send-request.js';
export type { MessageCheck } from './message-check.js';
export type { AuthSession } from './auth-sessions.js';

/** The store ports a decision reads and writes (the counters are their own port). */
export type CheckSendStore = DirectoryStore & RestrictionStore & AuditStore & ChangeFeed;

export interface CheckSendOptions {
  readonly metrics?: Metrics;
  /** Share of a limit (0-1) at which a sender raises the SuspiciousSending early warning. */
  readonly earlyWarningShare?: number;
  /** `policy.failMode`: what every driver answers when the store fails (closed unless set). */
  readonly failMode?: FailMode;
  /** Where decisions are logged, one line each. */
  readonly log?: Log;
  /** `policy.recipientDelimiter`: sub-addressed logins count as their mailbox (subaddress.ts); empty: off. */
  readonly recipientDelimiter?: string;
  /** Outbound spam scanning (rspamd.*): messages whose content a driver passes are scanned at their end. */
  readonly spam?: SpamWatch;
}


/**
 * Addresses that need more than a look (upper case, IDN, angle brackets) are normalized once and
 * remembered; most are already normal and are checked with one regular expression, which is cheaper
 * than a lookup in a map of 200,000 entries. Two generations: when the young one is full it becomes
 * the old one, so a busy server keeps its working set instead of dropping everything at once.
 */
class AddressCache {
  private young = new Map<string, string | null>();
  private old = new Map<string, string | null>();
  constructor(private readonly max = 200_000) {}
  get(raw: string): string | undefined {
    if (isNormalizedAddress(raw)) return raw;
    let v = this.young.get(raw);
    if (v === undefined) {
      const key = detach(raw);
      v = this.old.get(raw);
      if (v === undefined) v = tryNormalizeAddress(key) ?? null;
      if (this.young.size >= this.max) {
        this.old = this.young;
        this.young = new Map();
      }
      this.young.set(key, v);
    }
    return v ?? undefined;
  }
}

/** Everything a check needs about one sender, found with one lookup (its windows are the counters'). */
class SenderState {
  restriction: Restriction | undefined = undefined;
  /** Unblocked from BlockUser: not restricted again before this time (docs/spec.md §1). */
  reprieveUntil: number | undefined = undefined;
  /** False once compact() dropped it: whoever still holds it (the login cache) looks it up again. */
  live = true;
  constructor(
    readonly ref: SenderRef,
    readonly key: string,
  ) {}
}

const LOGIN_CACHE_MAX = 200_000;


export class CheckSend {
  private directory: Directory;
  /** Senders asked about lately or with an active restriction, by senderKey(). */
  private readonly states = new Map<string, SenderState>();
  private readonly lastEvent = new Map<string, number>();
  /** capsFor()'s results by limits object, four variants each (see there). */
  private caps = new WeakMap<EffectiveLimits, RecipientCaps[]>();
  /** Open SMTP AUTH sessions per sender (enterSession), in this node only. */
  private readonly sessions = new AuthSessions();
  private readonly addresses = new AddressCache();
  /** A connector (the directory's object, replaced on any change) → its sender. */
  private readonly connectorStates = new WeakMap<object, SenderState>();
  /** Login as Postfix sent it → its sender; rebuilt when the directory changes (tenants). */
  private logins = new Map<string, SenderState>();
  /** A reload started by a change; the next check waits for it, so a change is seen by the next request. */
  private syncing: Promise<void> | null = null;
  private readonly metrics: Metrics;
  private readonly earlyWarningShare: number | undefined;
  private readonly spam: SpamWatch | undefined;
  private readonly recipientDelimiter: string;
  private readonly record: DecisionRecord;
  /** What the message checks call back; not on CheckSend itself, so no driver decides around the record. */
  private readonly decider: StageDecider;
  /** The tenant external recipient limit, one more step on the same counters. */
  private readonly tenants: TenantLimitStep;

  private constructor(
    private readonly store: CheckSendStore,
    private readonly counters: SendingCounters,
    private readonly clock: Clock,
    private service: ServiceLimits,
    directory: Directory,
    opts: CheckSendOptions,
  ) {
    this.directory = directory;
    this.metrics = opts.metrics ?? NO_METRICS;
    this.earlyWarningShare = opts.earlyWarningShare;
    this.spam = opts.spam;
    this.recipientDelimiter = opts.recipientDelimiter ?? '';
    this.record = new DecisionRecord(opts.failMode ?? 'closed', this.metrics, opts.log ?? NO_LOG);
    this.decider = {
      decideStage: (req, message) => {
        // Thrown, the failure takes the fail mode's path like any other store failure.
        const stale = store.staleness?.();
        if (stale !== undefined) throw stale;
        return this.syncing ? this.syncing.then(() => this.decideRequest(req, message)) : this.decideRequest(req, message);
      },
      release: (key, message) => this.counters.release(key, message),
    };
    this.tenants = new TenantLimitStep({
      counters,
      store,
      metrics: this.metrics,
      earlyWarningShare: this.earlyWarningShare,
      limitOf: (tenantId) => this.directory.tenantLimit(tenantId),
      subject: (ref, key, create) => (create ? this.stateOf(ref, key) : this.states.get(key)),
      worthRecording: (key, e, now) => this.worthRecording(key, e, now),
    });
    store.subscribe((c) => this.onChange(c));
  }

  static async start(store: CheckSendStore, counters: SendingCounters, clock: Clock, service: ServiceLimits, opts: CheckSendOptions = {}): Promise<CheckSend> {
    const guard = new CheckSend(store, counters, clock, service, new Directory(await store.loadDirectory(), service), opts);
    const now = clock.now();
    // The active ones, and those unblocked today from BlockUser (their reprieve outlives a restart).
    for (const r of await store.listRestrictions({})) if (isActive(r, now) || (reprieveUntil(r) ?? 0) > now) guard.setRestriction(refOf(r), r);
    return guard;
  }

  /** Who a request counts against: the authenticated login, else a configured connector, else nobody. */
  resolve(req: SendRequest): SenderRef | undefined {
    return this.senderOf(req)?.ref;
  }

  private senderOf(req: SendRequest): SenderState | undefined {
    if (req.login) {
      const state = this.logins.get(req.login);
      if (state !== undefined && state.live) return state;
      const login = detach(req.login);
      const identity = foldSubaddress(normalizeLogin(login), this.recipientDelimiter);
      const fresh = this.stateOf({ tenantId: this.directory.tenantOfLogin(identity), type: 'Mailbox', identity });
      if (this.logins.size >= LOGIN_CACHE_MAX) this.logins = new Map();
      this.logins.set(login, fresh);
      return fresh;
    }
    const connector = req.clientAddress ? this.directory.connectorFor(req.clientAddress) : undefined;
    if (connector === undefined) return undefined;
    let state = this.connectorStates.get(connector);
    if (state === undefined || !state.live) {
      state = this.stateOf({ tenantId: connector.TenantId, type: 'Connector', identity: connector.Id });
      this.connectorStates.set(connector, state);
    }
    return state;
  }

  /**
   * Opens the check of one message for a driver (`driver` names it in the log). Its decisions are
   * synchronous when nothing has to be written (most RCPT checks); a promise when a count or
   * restriction must be durable first, or when a configuration reload is under way.
   */
  begin(id: string, driver: string): MessageCheck {
    return new MessageCheck(this.decider, this.record, id, driver);
  }

  /**
   * One SMTP AUTH session of the request's login starts (the milter: at its first MAIL FROM, where the
   * MTA first names the login) and is held until `leave()` (the session ends). One over
   * serviceLimits.concurrentConnections is deferred with 432 4.3.2 and holds nothing (docs/spec.md §4).
   * Counted in this node's memory: with several nodes, the limit holds per node.
   */
  enterSession(req: SendRequest): AuthSession {
    const state = req.login ? this.senderOf(req) : undefined;
    return state === undefined ? OPEN_SESSION : this.sessions.enter(state.key, this.service);
  }

  private decideRequest(req: SendRequest, msg: MessageCheck): CheckResult | Promise<CheckResult> {
    const state = this.senderOf(req);
    if (!state) return { decision: PERMIT };
    const sender = state.ref;
    const now = this.clock.now();
    // Usually the envelope sender is the login itself: normalized once, as the sender's identity. At the
    // end of a message whose header the driver saw, its From selects instead (docs/spec.md §3: 5322.From).
    const headerFrom = req.headers ? fromAddress(req.headers) : undefined;
    const from = headerFrom ?? (!req.from ? undefined : req.from === req.login && sender.type === 'Mailbox' && sender.identity.includes('@') ? sender.identity : this.addresses.get(req.from));
    const limits = this.directory.limitsFor(sender, this.policyAddressOf(sender, from));
    const restriction = activeRestriction(state, now);

    const conversation = msg.conversation;
    const message = msg.id;
    // A sender restricted is refused from this node's cache alone: no counter is read, so the refusal
    // stands while shared counters (Redis) are down, and costs them no round trip.
    if ((req.stage === 'rcpt' || req.stage === 'end') && isActive(restriction, now)) {
      return this.decide(req.stage, state, limits, undefined, conversation.tally(), restriction, now, req.messageId, msg);
    }
    if (req.stage === 'rcpt') {
      const recipient = req.recipient ? this.addresses.get(req.recipient) : undefined;
      if (recipient === undefined) {
        return then(this.counters.totals(state.key, message, now), (totals) => this.decide('rcpt', state, limits, totals, conversation.tally(), restriction, now, req.messageId, msg));
      }
      const internal = this.directory.isInternal(sender.tenantId, recipient);
      // An external recipient also counts against its tenant, when the tenant has a limit or a restriction.
      const tenant = internal ? undefined : this.tenants.of(sender.tenantId);
      const tenantReply = tenant ? this.tenants.refusalAtRcpt(tenant, now) : null;
      if (tenantReply) return { decision: refuse(tenantReply), sender, limits, restriction, tally: conversation.tally() };
      const reservation = this.counters.reserve({ sender, key: state.key, message, recipient, internal, now, caps: this.capsFor(sender, limits, reprieved(state, now)) });
      return then(reservation, ({ reserved, totals }) => {
        // Held from now until the message ends or is abandoned (or the reservation expires).
        if (reserved && message !== '') msg.heldBy = state.key;
        const result = this.decide('rcpt', state, limits, totals, conversation.tallyWith(recipient, internal), restriction, now, req.messageId, msg);
        // Only a permitted recipient joins the message; the result is synchronous unless it restricted.
        if (result instanceof Promise || result.decision.kind !== 'permit') return result;
        const add = () => conversation.add(recipient, internal);
        if (tenant === undefined) {
          add();
          return result;
        }
        // The sender may send it; the tenant must have room too (one more step on the same counters).
        return this.tenants.admitRecipient(tenant, msg, recipient, result, add, now);
      });
    }
    if (req.stage === 'end') return this.decideEnd(req, state, limits, restriction, now, msg);
    // Any other stage: only a restriction matters (refused as early as the MTA asks).
    const decision: Decision = isActive(restriction, now)
      ? { kind: 'refuse', reply: sender.type === 'Connector' ? 'connectorRestricted' : 'senderRestricted' }
      : PERMIT;
    return { decision, sender, limits, restriction };
  }

  /**
   * END-OF-MESSAGE: the message's tally (the MTA's count rules), its restricted tenant's refusal, the
   * spam scan when the driver passed the content, the sender's decision on its totals, then the
   * tenant's commit, or the message's holds freed.
   */
  private decideEnd(req: SendRequest, state: SenderState, limits: EffectiveLimits, restriction: Restriction | undefined, now: number, msg: MessageCheck): Sync<CheckResult> {
    const sender = state.ref;
    let seen = msg.conversation.tally();
    const recipient = req.recipient ? this.addresses.get(req.recipient) : undefined;
    if (seen.external + seen.internal === 0 && recipient !== undefined && req.recipientCount === 1) {
      seen = this.directory.isInternal(sender.tenantId, recipient) ? { external: 0, internal: 1 } : { external: 1, internal: 0 };
    }
    const tally = reconcileTally(seen, req.recipientCount ?? seen.external + seen.internal);
    const tenant = tally.external > 0 ? this.tenants.of(sender.tenantId) : undefined;
    const tenantReply = tenant ? this.tenants.refusalAtEnd(tenant, msg, tally, seen, now) : null;
    if (tenantReply) {
      msg.heldBy = state.key;
      msg.abandon();
      return { decision: refuse(tenantReply), sender, limits, restriction, tally };
    }
    // The tenant's holds are the tenant's business here: committed with the message, or released.
    const tenantHeld = msg.tenantHeldBy;
    msg.tenantHeldBy = undefined;
    const forwarded = req.headers ? forwardMark(req.headers) : undefined;
    const scanned: Sync<SpamVerdict | undefined> =
      req.content === undefined || this.spam === undefined
        ? undefined
        : this.spam.scan({ message: req.content, login: req.login, from: req.from, clientAddress: req.clientAddress, queueId: req.messageId });
    const judged = then(scanned, (spam) =>
      then(this.counters.totals(state.key, msg.id, now), (totals) => this.decide('end', state, limits, totals, tally, restriction, now, req.messageId, msg, forwarded, spam)),
    );
    return then(judged, (r) => {
      if (r.decision.kind === 'permit' && tenant !== undefined && tenant.limit > 0) return this.tenants.commit(tenant, msg, tally.external, now).then(() => r);
      msg.tenantHeldBy = tenantHeld;
      msg.abandon();
      return r;
    });
  }

  private decide(
    stage: 'rcpt' | 'end',
    state: SenderState,
    limits: EffectiveLimits,
    /** Undefined when the counters were not read (a sender refused as restricted). */
    totals: WindowTotals | undefined,
    message: Tally,
    restriction: Restriction | undefined,
    now: number,
    messageId: string | undefined,
    msg: MessageCheck,
    /** At 'end': the header marking the message an automatic forward, if any. */
    forwarded?: string,
    /** At 'end': the spam scanner's verdict on the message, when it was scanned. */
    spam?: SpamVerdict,
  ): CheckResult | Promise<CheckResult> {
    const sender = state.ref;
    const instance = msg.id;
    const verdict: Verdict = evaluate({ stage, now, sender, limits, service: this.service, totals: totals ?? NO_TOTALS, message, restriction, reprieveUntil: state.reprieveUntil, messageId, earlyWarningShare: this.earlyWarningShare, forwarded });
    let events = verdict.events.length === 0 ? verdict.events : verdict.events.filter((e) => this.worthRecording(state.key, e, now));
    // A scanned message that goes out feeds its sender's spam share; crossing the threshold restricts
    // it from the next message on (this one goes out, routed as high risk), unless reprieved today.
    const spamming = verdict.admit && spam && this.spam ? this.spam.record({ key: state.key, sender, verdict: spam, action: limits.action, policy: limits.policyName, messageId, now }) : undefined;
    const spamRestrict = spamming?.restrict && !reprieved(state, now) ? spamming.restrict : null;
    if (spamming && spamming.events.length > 0) events = [...events, ...spamming.events.filter((e) => this.worthRecording(state.key, e, now))];
    const copyTo = verdict.copyTo ?? (spam?.spam ? limits.bccSuspicious : undefined);
    // One shape for every result (no spread of optional parts): this object is built per decision.
    const result: CheckResult = {
      decision: verdict.decision,
      sender,
      limits,
      totals,
      tally: message,
      restriction: spamRestrict?.restriction ?? verdict.restrict?.restriction ?? restriction,
      copyTo: copyTo && copyTo.length > 0 ? copyTo : undefined,
      spam: spam && verdict.admit ? spam : undefined,
    };

    // A message at its end (committed or refused), or whose sender it restricted, holds its recipients
    // no longer: a commit drops them, a refusal releases them; abandoning it later has nothing to do.
    if (verdict.restrict || stage === 'end') {
      // A refusal after reading the counters frees the message there, whichever node held its RCPTs;
      // one from the cache alone frees only what this node saw held. A failed release is logged and
      // costs quota until the reservation expires, never the decision.
      if (verdict.admit) msg.heldBy = undefined;
      else if (totals !== undefined) msg.heldBy = state.key;
      msg.abandon();
    }
    if (verdict.restrict) {
      // In memory first, synchronously: a concurrent request for the same sender sees it at once.
      state.restriction = verdict.restrict.restriction;
      this.metrics.restricted(sender.type);
      return this.store.applyTransition(verdict.restrict, { resetWindows: false }).then(() => result);
    }
    if (verdict.admit) {
      const committed = this.counters.commit({ sender, key: state.key, message: instance, at: now, counts: verdict.admit }, events);
      if (!spamRestrict) return committed.then(() => result);
      state.restriction = spamRestrict.restriction;
      this.metrics.restricted(sender.type);
      return committed.then(() => this.store.applyTransition(spamRestrict, { resetWindows: false })).then(() => result);
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

  /** Current totals of a sender (for the CLI, API and reports), open messages' reservations included. */
  async totalsOf(sender: SenderRef): Promise<WindowTotals> {
    return this.counters.totals(senderKey(sender), '', this.clock.now());
  }

  /** The tenant's restriction while it is active (its external recipients are refused), as checks see it now. */
  tenantRestrictionOf(tenantId: string): Restriction | undefined {
    return this.tenants.restrictionOf(tenantId, this.clock.now());
  }

  /**
   * Every sender with something in its windows now: its totals and the limits it is held to; with
   * `minLastHour`, only those with at least that many recipients in the last hour.
   */
  async activity(minLastHour?: number): Promise<Array<{ sender: SenderRef; totals: WindowTotals; limits: EffectiveLimits; restriction: Restriction | undefined }>> {
    const now = this.clock.now();
    const out: Array<{ sender: SenderRef; totals: WindowTotals; limits: EffectiveLimits; restriction: Restriction | undefined }> = [];
    for (const { sender, totals } of await this.counters.active(now, minLastHour)) {
      // A tenant's own count (its external recipients) is not a sender's activity.
      if (sender.type === 'Tenant') continue;
      const r = this.states.get(senderKey(sender))?.restriction;
      out.push({ sender, totals, limits: this.limitsOf(sender), restriction: isActive(r, now) ? r : undefined });
    }
    return out;
  }

  /**
   * The address whose policy applies: the sending address when the login may send as it, else the
   * login's own (docs/spec.md §3). The policy server (envelope sender) and the send check (From) both
   * come here, so they cannot choose differently. A connector's limits are its own whatever the From.
   */
  private policyAddressOf(sender: SenderRef, from: string | undefined): string | undefined {
    if (sender.type !== 'Mailbox') return from;
    return policyAddress(sender.identity, from, (trustee, identity) => this.directory.maySendAs(sender.tenantId, trustee, identity));
  }

  /** The limits a sender is held to when it sends as itself (its login as the From). */
  limitsOf(sender: SenderRef): EffectiveLimits {
    return this.directory.limitsFor(sender, sender.type === 'Mailbox' ? sender.identity : undefined);
  }

  /** Drops senders with no restriction, and the counters' empty windows, so memory follows active senders only. */
  compact(): void {
    const now = this.clock.now();
    this.counters.compact(now);
    this.spam?.compact(now);
    for (const [key, state] of this.states) {
      if (activeRestriction(state, now) || reprieved(state, now)) continue;
      this.states.delete(key);
      state.live = false;
    }
    // A login whose sender was dropped would be looked up again anyway: its entry only held memory
    // (~860 B a sender at 100k senders, measured by heap snapshot).
    for (const [login, state] of this.logins) if (!state.live) this.logins.delete(login);
  }

  /** The caps a reservation must meet: the recipient limits evaluate() refuses at RCPT, no more. */
  private capsFor(sender: SenderRef, limits: EffectiveLimits, reprieve: boolean): RecipientCaps {
    // Limits objects are shared and stable until the directory changes: their caps are built once (per
    // sender type and reprieve), not per recipient. A service change replaces the directory and this map.
    const variant = (sender.type === 'Mailbox' ? 0 : 2) + (reprieve ? 1 : 0);
    let built = this.caps.get(limits);
    if (built === undefined) this.caps.set(limits, (built = []));
    return (built[variant] ??= this.buildCaps(sender, limits, reprieve));
  }

  private buildCaps(sender: SenderRef, limits: EffectiveLimits, reprieve: boolean): RecipientCaps {
    const mailbox = sender.type === 'Mailbox';
    // Alert lets the message through (admins are told at its end), so the policy's limits do not cap it;
    // nor do they for a sender unblocked today from BlockUser (docs/spec.md §1).
    const policy = limits.action !== 'Alert' && !reprieve;
    return {
      externalPerHour: policy ? limits.externalPerHour : Infinity,
      internalPerHour: policy ? limits.internalPerHour : Infinity,
      perDay: Math.min(policy ? limits.perDay : Infinity, mailbox ? this.service.recipientsPerDay : Infinity),
      perMessage: this.service.recipientsPerMessage,
      messagesPerMinute: mailbox ? this.service.messagesPerMinute : Infinity,
    };
  }

  private stateOf(sender: SenderRef, key = senderKey(sender)): SenderState {
    let state = this.states.get(key);
    if (!state) {
      // One flat copy, which the counters keep too: a concatenation is a tree of its parts, and V8
      // flattens it into a second copy at its first lookup (~150 B a sender, heap snapshot at 50k).
      const flat = detach(key);
      state = new SenderState(sender, flat);
      this.states.set(flat, state);
    }
    return state;
  }

  /**
   * This node's cooldown, a first filter that costs no store call; a shared store applies the same
   * cooldown across nodes when it records the event (three nodes raise it once, not three times).
   */
  private worthRecording(key: string, e: DomainEvent, now: number): boolean {
    if (!isRepeatable(e)) return true;
    const k = `${key}\u0000${e.type}`;
    const last = this.lastEvent.get(k);
    if (last !== undefined && now - last < EVENT_COOLDOWN_MS) return false;
    this.lastEvent.set(k, now);
    return true;
  }

  private onChange(c: Change): void {
    if (c.kind === 'directory') {
      this.reloadDirectory();
    } else if (c.kind === 'resync') {
      this.reloadDirectory();
      this.sync(this.store.listRestrictions({}).then((all) => this.resyncRestrictions(all)));
    } else if (c.kind === 'windows-reset') {
      // The counters follow it themselves.
    } else if (c.restriction) {
      this.setRestriction(c.sender, c.restriction);
    } else {
      this.sync(this.store.getRestriction(c.sender).then((r) => this.setRestriction(c.sender, r)));
    }
  }

  private setRestriction(sender: SenderRef, r: Restriction | undefined): void {
    const key = senderKey(sender);
    const reprieve = reprieveUntil(r);
    const state = r?.status === 'Restricted' || reprieve !== undefined ? this.stateOf(sender) : this.states.get(key);
    if (!state) return;
    state.reprieveUntil = reprieve;
    // Released before it would have expired: an admin unblocked it (here, or with the CLI elsewhere).
    if (state.restriction && r?.status === 'Released' && (r.expiresAt === null || r.changedAt < r.expiresAt)) this.metrics.unblocked(r.entityType);
    state.restriction = r?.status === 'Restricted' ? r : undefined;
  }

  /** Every restriction as the store has it now; a cached one the store no longer lists is dropped. */
  private resyncRestrictions(all: readonly Restriction[]): void {
    const listed = new Set<string>();
    for (const r of all) {
      listed.add(senderKey(refOf(r)));
      this.setRestriction(refOf(r), r);
    }
    for (const [key, state] of this.states) {
      if (listed.has(key)) continue;
      state.restriction = undefined;
      state.reprieveUntil = undefined;
    }
  }

  /** policy.failMode for every driver, from now on (SIGHUP). */
  setFailMode(mode: FailMode): void {
    this.record.setFailMode(mode);
  }

  /** A reloaded configuration (SIGHUP): the service limits hold from the next request on. */
  setServiceLimits(service: ServiceLimits): void {
    this.service = service;
    this.caps = new WeakMap();
    this.directory = new Directory(this.directory.snapshot, service);
  }

  private reloadDirectory(): void {
    this.sync(
      this.store.loadDirectory().then((snapshot) => {
        this.directory = new Directory(snapshot, this.service);
        // A new accepted domain can move a login to another tenant.
        this.logins = new Map();
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

/** What a restricted sender's refusal is evaluated with: it never reaches the limits. */
const NO_TOTALS: WindowTotals = Object.freeze({
  externalLastHour: 0,
  internalLastHour: 0,
  externalLast24h: 0,
  internalLast24h: 0,
  recipientsLast24h: 0,
  messagesLastMinute: 0,
});

/** True while a sender unblocked from BlockUser may not be restricted again (docs/spec.md §1). */
function reprieved(state: SenderState, now: number): boolean {
  return state.reprieveUntil !== undefined && now < state.reprieveUntil;
}

/** The sender's restriction, forgotten once it is neither active nor waiting to be released as expired. */
function activeRestriction(state: SenderState, now: number): Restriction | undefined {
  const r = state.restriction;
  if (r && !isActive(r, now) && !isExpired(r, now)) state.restriction = undefined;
  return r;
}

function refOf(r: Restriction): SenderRef {
  return { tenantId: r.tenantId, type: r.entityType, identity: r.identity };
}

/** Continues with a value now, or once it comes: no promise when the port answered synchronously. */
function then<T, R>(v: Sync<T>, fn: (v: T) => R | Promise<R>): R | Promise<R> {
  return v instanceof Promise ? v.then(fn) : fn(v);
}

// The tenant external recipient limit as a step of checkSend (docs/tenancy.md): a tenant is one more
// subject on the sender counters, asked right after its sender at RCPT and committed with the message
// at its end. The decisions are domain/tenant-limit.ts's; this holds the I/O around them.
import { refuse } from '../domain/decision.js';
import type { Tally } from '../domain/evaluate.js';
import type { DomainEvent } from '../domain/events.js';
import { isActive, type Restriction } from '../domain/restriction.js';
import { senderKey, tenantRef, type SenderRef } from '../domain/sender.js';
import { restrictTenant, tenantEarlyWarning, tenantRefusal } from '../domain/tenant-limit.js';
import type { MessageCheck } from './message-check.js';
import type { Metrics } from './metrics.js';
import { NO_CAPS, type RecipientCaps, type RestrictionStore, type SendingCounters, type Sync } from './ports.js';
import type { CheckResult } from './send-request.js';

/** A counter subject as checkSend keeps it: the tenant's restriction lives beside its senders'. */
export interface Subject {
  readonly ref: SenderRef;
  readonly key: string;
  restriction: Restriction | undefined;
}

/** A tenant with a limit or a restriction to enforce. */
export interface TenantSubject {
  readonly state: Subject;
  /** External recipients per rolling 24 h; 0: none (only a restriction left to enforce). */
  readonly limit: number;
}

export interface TenantLimitDeps {
  readonly counters: SendingCounters;
  readonly store: Pick<RestrictionStore, 'applyTransition'>;
  readonly metrics: Metrics;
  readonly earlyWarningShare: number | undefined;
  /** The tenant's limit in the directory now (0: none). */
  limitOf(tenantId: string): number;
  /** The subject's state (`key`: its senderKey()); created when `create`, else only when already known. */
  subject(ref: SenderRef, key: string, create: boolean): Subject | undefined;
  /** checkSend's event cooldown. */
  worthRecording(key: string, e: DomainEvent, now: number): boolean;
}

export class TenantLimitStep {
  /** Each tenant's ref and key, made once: asked about at every external recipient. */
  private readonly ids = new Map<string, { readonly ref: SenderRef; readonly key: string }>();

  constructor(private readonly d: TenantLimitDeps) {}

  /** The tenant, when it has a limit or a restriction to enforce; else undefined (and it costs nothing). */
  of(tenantId: string): TenantSubject | undefined {
    const limit = this.d.limitOf(tenantId);
    const { ref, key } = this.idOf(tenantId);
    const state = this.d.subject(ref, key, limit > 0);
    return state === undefined ? undefined : { state, limit };
  }

  /** The tenant's restriction while it is active. */
  restrictionOf(tenantId: string, now: number): Restriction | undefined {
    const { ref, key } = this.idOf(tenantId);
    const r = this.d.subject(ref, key, false)?.restriction;
    return isActive(r, now) ? r : undefined;
  }

  private idOf(tenantId: string): { readonly ref: SenderRef; readonly key: string } {
    let id = this.ids.get(tenantId);
    if (id === undefined) {
      const ref = tenantRef(tenantId);
      this.ids.set(tenantId, (id = { ref, key: senderKey(ref) }));
    }
    return id;
  }

  /**
   * An external recipient the sender may send to: held for the tenant too. `admitted` is the sender's
   * permit, returned when the tenant has room; else the recipient is refused with 5.7.233 and the
   * tenant restricted (once). `add` joins the recipient to the message when it goes.
   */
  admitRecipient(tenant: TenantSubject, msg: MessageCheck, recipient: string, admitted: CheckResult, add: () => void, now: number): Sync<CheckResult> {
    if (tenant.limit === 0) {
      add();
      return admitted;
    }
    return then(this.reserve(tenant, msg, recipient, now), (over) => {
      if (over === null) {
        add();
        return admitted;
      }
      return this.restrict(tenant, over, { ...admitted, decision: refuse('tenantExternalLimit') }, now);
    });
  }

  /** Counts an admitted message's external recipients for its tenant, with the early warning when near. */
  async commit(tenant: TenantSubject, msg: MessageCheck, external: number, now: number): Promise<void> {
    const { ref, key } = tenant.state;
    const totals = await this.d.counters.totals(key, msg.id, now);
    const warning = tenantEarlyWarning(ref.tenantId, totals, external, tenant.limit, this.d.earlyWarningShare, now);
    const events = warning !== null && this.d.worthRecording(key, warning, now) ? [warning] : [];
    await this.d.counters.commit({ sender: ref, key, message: msg.id, at: now, counts: { external, internal: 0, messages: 1 } }, events);
  }

  /** At RCPT, for an external recipient: the refusal its restricted tenant gives (5.7.233), or null. */
  refusalAtRcpt(tenant: TenantSubject, now: number): ReturnType<typeof tenantRefusal> {
    return tenantRefusal(tenant.state.restriction, now, 'rcpt', 1);
  }

  /**
   * At a message's end: the refusal its restricted tenant gives, or null. External recipients the
   * tenant held for this message at RCPT were within its limit: they go.
   */
  refusalAtEnd(tenant: TenantSubject, msg: MessageCheck, tally: Tally, seen: Tally, now: number): ReturnType<typeof tenantRefusal> {
    const unheld = tally.external - (msg.tenantHeldBy === undefined ? 0 : seen.external);
    return tenantRefusal(tenant.state.restriction, now, 'end', unheld);
  }

  /** Holds an external recipient for the tenant; null when held, else the count it would have made (over the limit). */
  private reserve(tenant: TenantSubject, msg: MessageCheck, recipient: string, now: number): Sync<number | null> {
    const { ref, key } = tenant.state;
    const caps: RecipientCaps = { ...NO_CAPS, perDay: tenant.limit };
    return then(this.d.counters.reserve({ sender: ref, key, message: msg.id, recipient, internal: false, now, caps }), ({ reserved, totals, tally }) => {
      if (!reserved) return totals.externalLast24h + tally.external;
      if (msg.id !== '') msg.tenantHeldBy = key;
      return null;
    });
  }

  /** The tenant went over its limit: restricted (once), its external recipients refused with 5.7.233. */
  private restrict(tenant: TenantSubject, wouldBe: number, refused: CheckResult, now: number): Sync<CheckResult> {
    if (isActive(tenant.state.restriction, now)) return refused;
    const t = restrictTenant(tenant.state.ref.tenantId, wouldBe, tenant.limit, now);
    // In memory first, synchronously: the tenant's next external recipient is refused without a count.
    tenant.state.restriction = t.restriction;
    this.d.metrics.restricted('Tenant');
    return this.d.store.applyTransition(t, { resetWindows: false }).then(() => refused);
  }
}

/** Continues with a value now, or once it comes: no promise when the port answered synchronously. */
function then<T, R>(v: Sync<T>, fn: (v: T) => Sync<R>): Sync<R> {
  return v instanceof Promise ? v.then(fn) : fn(v);
}

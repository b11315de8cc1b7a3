// Portal sign-in, sessions and sign-out. A session is an opaque cookie secret (the store keeps its
// hash) with a CSRF token; failed sign-ins are throttled per account name and per source address, in
// the store, so the limit holds across restarts and processes. Every sign-in, failed or not, is audited.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { verify as argon2Verify } from '@node-rs/argon2';
import type { AdminAccount } from '../domain/account.js';
import { printable } from '../domain/address.js';
import type { Actor } from '../domain/events.js';
import { sessionExpiry, sessionLive, type SessionTimeouts, type ThrottleRule } from '../domain/sign-in.js';
import { Errors, fail } from '../errors.js';
import { actorOf, hashPassword } from './accounts.js';
import type { AuditEntry } from './audit.js';
import type { Clock, Store, StoredSession } from './ports.js';
// The API's answer (src/shared/api-schemas.ts): built as that type, so no field is made that it would not send.
import type { SessionInfo } from '../shared/api-schemas.js';

export interface SessionOptions extends SessionTimeouts {
  readonly perAccount: ThrottleRule;
  readonly perAddress: ThrottleRule;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  perAccount: { max: 5, windowMs: 15 * 60_000 },
  perAddress: { max: 20, windowMs: 15 * 60_000 },
};


export interface Caller {
  readonly actor: Actor;
  readonly session: StoredSession;
}

const TOUCH_EVERY_MS = 60_000;
const NAME_MAX = 320;
const FAILED = 'The name or password is not right, or the account is disabled.';

// Verified against when the account does not exist, so a wrong name costs as much time as a wrong password.
let decoy: Promise<string> | undefined;

export async function signIn(store: Store, clock: Clock, opts: SessionOptions, input: { name: string; password: string; ip: string | null }): Promise<{ token: string; info: SessionInfo }> {
  const name = input.name.trim().toLowerCase().slice(0, NAME_MAX);
  const accountKey = `account:${name}`;
  const addressKey = `ip:${input.ip ?? 'unknown'}`;
  const now = clock.now();
  // Counted before the password is checked, in the same transaction that decides: parallel attempts
  // cannot all read "no failures yet" and all be checked.
  const wait = await store.reserveSignInAttempt(
    [
      { key: accountKey, ...opts.perAccount },
      { key: addressKey, ...opts.perAddress },
    ],
    now,
  );
  const stored = await store.getAccount(name);
  const account = stored?.account;
  const who: Actor = { name: printable(name) || '(empty)', role: account?.Role ?? '', source: 'portal', ip: input.ip, tenantId: account?.TenantId ?? null };
  const audit = (result: AuditEntry['result'], after: unknown): AuditEntry => ({ at: now, tenantId: account?.TenantId ?? 'provider', actor: who, operation: 'SignIn', target: who.name, before: null, after, result });

  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    await store.recordAudit([audit('Failed', { Reason: `Throttled: too many failed sign-ins; retry in ${seconds} s` })]);
    fail(Errors.THROTTLED, `Too many failed sign-ins. Try again in ${seconds} seconds.`, seconds);
  }
  const hash = stored?.passwordHash ?? (await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
  const ok = (await argon2Verify(hash, input.password).catch(() => false)) && stored?.passwordHash != null && account?.Enabled === true;
  if (!ok || !account) {
    // The attempt was counted as a failure when it was reserved.
    const reason = !account ? 'No such account' : !account.Enabled ? 'Account disabled' : stored?.passwordHash == null ? 'No password set' : 'Wrong password';
    await store.recordAudit([audit('Failed', { Reason: reason })]);
    fail(Errors.SIGN_IN_FAILED, FAILED);
  }
  // A success clears the account's failures and un-counts this attempt from the source address.
  await store.clearSignInFailures(accountKey);
  await store.clearSignInFailures(addressKey, now);
  const token = randomBytes(32).toString('base64url');
  const session: StoredSession = { idHash: sha256(token), accountId: account.Id, csrfToken: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now, ip: input.ip };
  await store.createSession(session, audit('Succeeded', { Session: session.idHash.slice(0, 12) }));
  return { token, info: await sessionInfo(store, account, session, opts) };
}

/** The caller behind a session cookie, or undefined when it is unknown, ended, or its account disabled. */
export async function authenticateSession(store: Store, clock: Clock, opts: SessionOptions, token: string, ip: string | null): Promise<Caller | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const session = await store.getSession(sha256(token));
  const now = clock.now();
  if (!session || !sessionLive(session, opts, now)) return undefined;
  const account = (await store.getAccount(session.accountId))?.account;
  if (!account?.Enabled) return undefined;
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await store.touchSession(session.idHash, now);
  return { actor: actorOf(account, 'portal', ip), session: { ...session, lastSeenAt: now } };
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: StoredSession, header: string | undefined): boolean {
  if (header === undefined) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function signOut(store: Store, clock: Clock, caller: Caller): Promise<void> {
  await store.deleteSession(caller.session.idHash, {
    at: clock.now(),
    tenantId: caller.actor.tenantId ?? 'provider',
    actor: caller.actor,
    operation: 'SignOut',
    target: caller.actor.name,
    before: null,
    after: null,
    result: 'Succeeded',
  });
}

export async function describeSession(store: Store, opts: SessionOptions, caller: Caller): Promise<SessionInfo> {
  const account = (await store.getAccount(caller.session.accountId))!.account;
  return sessionInfo(store, account, caller.session, opts);
}

/** Drops ended sessions and failures too old to matter. */
export async function pruneSessions(store: Store, clock: Clock, opts: SessionOptions): Promise<void> {
  const now = clock.now();
  await store.pruneSessions(now - opts.idleMs, now - opts.absoluteMs, now - Math.max(opts.perAccount.windowMs, opts.perAddress.windowMs));
}

async function sessionInfo(store: Store, a: AdminAccount, s: StoredSession, opts: SessionOptions): Promise<SessionInfo> {
  const tenant = a.TenantId === null ? undefined : (await store.loadDirectory()).tenants.find((t) => t.Id === a.TenantId);
  const e = sessionExpiry(s, opts);
  return {
    account: { id: a.Id, name: a.Name, displayName: a.DisplayName, role: a.Role, tenantId: a.TenantId, tenantName: tenant?.Name ?? null },
    csrfToken: s.csrfToken,
    idleExpiresAt: new Date(e.idleExpiresAt).toISOString(),
    absoluteExpiresAt: new Date(e.absoluteExpiresAt).toISOString(),
  };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

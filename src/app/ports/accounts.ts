// Port: admin accounts, API keys, portal sessions and failed sign-ins.
import type { AdminAccount, ApiKey } from '../../domain/account.js';
import type { AuditEntry } from '../audit.js';

export interface StoredAccount {
  readonly account: AdminAccount;
  readonly passwordHash: string | null;
}

export interface StoredApiKey {
  readonly key: ApiKey;
  readonly secretHash: string;
}

/** Admin accounts and API keys; every change is written with its audit entry. */
export interface AccountStore {
  listAccounts(): Promise<AdminAccount[]>;
  getAccount(nameOrId: string): Promise<StoredAccount | undefined>;
  /** `passwordHash` undefined keeps the stored hash. */
  saveAccount(a: AdminAccount, passwordHash: string | null | undefined, audit: AuditEntry): Promise<void>;
  removeAccount(id: string, audit: AuditEntry): Promise<void>;
  saveApiKey(k: ApiKey, secretHash: string, audit: AuditEntry): Promise<void>;
  listApiKeys(accountId?: string): Promise<ApiKey[]>;
  getApiKey(id: string): Promise<StoredApiKey | undefined>;
  revokeApiKey(id: string, audit: AuditEntry): Promise<boolean>;
  touchApiKey(id: string, at: number): Promise<void>;
  /** Audit entries that belong to no other change (sign-ins). */
  recordAudit(entries: readonly AuditEntry[]): Promise<void>;
}

/** A portal session; the store keeps only a hash of the cookie's secret. */
export interface StoredSession {
  readonly idHash: string;
  readonly accountId: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly ip: string | null;
}

/** A throttle key (account name, source address) and its rule. */
export interface SignInLimit {
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
}

/** Portal sessions and failed sign-ins, shared by every process on the store (throttling holds across them). */
export interface SessionStore {
  createSession(s: StoredSession, audit: AuditEntry): Promise<void>;
  getSession(idHash: string): Promise<StoredSession | undefined>;
  touchSession(idHash: string, at: number): Promise<void>;
  /** Returns false when there was no such session (already signed out). */
  deleteSession(idHash: string, audit: AuditEntry): Promise<boolean>;
  pruneSessions(sessionsSeenBefore: number, createdBefore: number, failuresBefore: number): Promise<void>;
  /**
   * Counts a sign-in attempt against every key before its password is checked, in one transaction that
   * also decides: when any key is over its limit nothing is counted and the wait (ms) is returned, else
   * the attempt is counted as a failure under every key and 0 returned. N parallel attempts thus check
   * at most `max` passwords.
   */
  reserveSignInAttempt(limits: readonly SignInLimit[], now: number): Promise<number>;
  /** Forgets a key's failures: all of them, or only the one attempt reserved at `at`. */
  clearSignInFailures(key: string, at?: number): Promise<void>;
}

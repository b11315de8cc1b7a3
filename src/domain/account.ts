// Admin accounts and API keys: who may sign in to the portal or call the API, with which role, in
// which tenant (none = provider-level, every tenant).

export interface AdminAccount {
  Id: string;
  /** The sign-in name, lower-case. */
  Name: string;
  DisplayName: string;
  Role: string;
  /** The tenant the account administers; null for a provider-level account. */
  TenantId: string | null;
  Enabled: boolean;
  /** Where alert notifications for TenantAdmins go (Global Administrators); null: none. */
  Email: string | null;
  WhenCreatedUTC: string;
  WhenChangedUTC: string;
}

export interface ApiKey {
  Id: string;
  AccountId: string;
  Name: string;
  WhenCreatedUTC: string;
  LastUsedUTC: string | null;
  RevokedUTC: string | null;
}

/** Passwords admins choose: long enough to resist guessing, bounded so hashing stays cheap. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

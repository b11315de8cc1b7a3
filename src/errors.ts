// The OG_ERR_* catalogue: one stable code, HTTP status and sentence per failure, shared by CLI and API.
// Documented in docs/errors.md; never change a code once it has shipped.

export interface ErrorDef {
  readonly code: string;
  readonly status: number;
}

export const Errors = {
  INVALID_ADDRESS: { code: 'OG_ERR_INVALID_ADDRESS', status: 400 },
  INVALID_ARGUMENT: { code: 'OG_ERR_INVALID_ARGUMENT', status: 400 },
  OUT_OF_RANGE: { code: 'OG_ERR_OUT_OF_RANGE', status: 400 },
  INVALID_CIDR: { code: 'OG_ERR_INVALID_CIDR', status: 400 },
  UNKNOWN_PARAMETER: { code: 'OG_ERR_UNKNOWN_PARAMETER', status: 400 },
  MISSING_PARAMETER: { code: 'OG_ERR_MISSING_PARAMETER', status: 400 },
  UNKNOWN_COMMAND: { code: 'OG_ERR_UNKNOWN_COMMAND', status: 404 },
  SENDER_NOT_BLOCKED: { code: 'OG_ERR_SENDER_NOT_BLOCKED', status: 404 },
  CONNECTOR_NOT_BLOCKED: { code: 'OG_ERR_CONNECTOR_NOT_BLOCKED', status: 404 },
  TENANT_NOT_BLOCKED: { code: 'OG_ERR_TENANT_NOT_BLOCKED', status: 404 },
  UNAUTHENTICATED: { code: 'OG_ERR_UNAUTHENTICATED', status: 401 },
  FORBIDDEN: { code: 'OG_ERR_FORBIDDEN', status: 403 },
  UNBLOCK_LIMIT: { code: 'OG_ERR_UNBLOCK_LIMIT', status: 403 },
  NOT_FOUND: { code: 'OG_ERR_NOT_FOUND', status: 404 },
  ALREADY_EXISTS: { code: 'OG_ERR_ALREADY_EXISTS', status: 409 },
  CONFLICT: { code: 'OG_ERR_CONFLICT', status: 409 },
  DEFAULT_POLICY_IMMUTABLE: { code: 'OG_ERR_DEFAULT_POLICY_IMMUTABLE', status: 409 },
  POLICY_IN_USE: { code: 'OG_ERR_POLICY_IN_USE', status: 409 },
  CONFIG_INVALID: { code: 'OG_ERR_CONFIG_INVALID', status: 500 },
  STORE_UNAVAILABLE: { code: 'OG_ERR_STORE_UNAVAILABLE', status: 503 },
  STORE_LOCKED: { code: 'OG_ERR_STORE_LOCKED', status: 503 },
  STORE_TOO_NEW: { code: 'OG_ERR_STORE_TOO_NEW', status: 500 },
  LISTEN_FAILED: { code: 'OG_ERR_LISTEN_FAILED', status: 500 },
  START_FAILED: { code: 'OG_ERR_START_FAILED', status: 500 },
  BACKUP_INVALID: { code: 'OG_ERR_BACKUP_INVALID', status: 400 },
  // sign-in and sessions
  SIGN_IN_FAILED: { code: 'OG_ERR_SIGN_IN_FAILED', status: 401 },
  THROTTLED: { code: 'OG_ERR_THROTTLED', status: 429 },
  CSRF: { code: 'OG_ERR_CSRF', status: 403 },
  // alert policies
  ALERT_POLICY_BUILT_IN: { code: 'OG_ERR_ALERT_POLICY_BUILT_IN', status: 409 },
  // remote CLI
  REMOTE_UNAVAILABLE: { code: 'OG_ERR_REMOTE_UNAVAILABLE', status: 503 },
} as const satisfies Record<string, ErrorDef>;

export type ErrorName = keyof typeof Errors;

/** An expected failure a person can act on: the message is the sentence shown to them. */
export class OutgateError extends Error {
  readonly code: string;
  readonly status: number;
  /** When the caller may try again (THROTTLED), in seconds. */
  readonly retryAfterSeconds?: number;

  constructor(def: ErrorDef, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'OutgateError';
    this.code = def.code;
    this.status = def.status;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function fail(def: ErrorDef, message: string, retryAfterSeconds?: number): never {
  throw new OutgateError(def, message, retryAfterSeconds);
}

export function isOutgateError(err: unknown): err is OutgateError {
  return err instanceof OutgateError;
}

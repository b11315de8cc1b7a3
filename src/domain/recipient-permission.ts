// Send As permissions (Add-/Get-/Remove-RecipientPermission) and the choice of the address whose
// outbound spam policy applies to a message (docs/spec.md §3: the policy follows the From address;
// §1: the account counted is always the authenticated submitter).

/** Exchange's access right for sending as another mailbox; the only one Outgate acts on. */
export const SEND_AS = 'SendAs';
export const ACCESS_RIGHTS = [SEND_AS] as const;
export type AccessRight = (typeof ACCESS_RIGHTS)[number];

/** `Trustee` may send as `Identity` (both normalized addresses in the tenant). */
export interface RecipientPermission {
  readonly Id: string;
  readonly TenantId: string;
  readonly Identity: string;
  readonly Trustee: string;
  readonly AccessRights: readonly AccessRight[];
  readonly WhenCreatedUTC: string;
}

/**
 * The address whose policy a message is held to: the sending address (From, or the envelope sender
 * on the policy path) only when the login may send as it; otherwise the login's own. EOP lets a
 * mailbox send as another only with Send As, so without it a login cannot borrow another address's
 * laxer policy. Every driver goes through this one function (docs/spec.md §3).
 */
export function policyAddress(login: string, sending: string | undefined, maySendAs: (trustee: string, identity: string) => boolean): string {
  if (sending === undefined || sending === login) return login;
  // A bare login (`alice`, no domain) names no address to hold it to: the sending address selects,
  // as before Send As existed. Logins as full addresses are what makes the check possible.
  if (!login.includes('@')) return sending;
  return maySendAs(login, sending) ? sending : login;
}

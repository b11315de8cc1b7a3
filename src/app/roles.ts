// Role-based access (docs/spec.md §6): the role table is src/shared/roles.ts, which the portal imports too;
// here the use cases check it, so the CLI, the API and the portal can never disagree.
import type { Actor } from '../domain/events.js';
import { Errors, fail } from '../errors.js';
import { roleMay, type Permission } from '../shared/roles.js';

export { PERMISSIONS, ROLES, type Permission, type Role } from '../shared/roles.js';

const SENTENCE: Record<Permission, string> = {
  read: 'see this',
  change: 'make changes',
  administer: 'manage accounts, roles or tenants (only a Global Administrator can)',
  check: 'submit messages to the send check (give the application a Sending Application key)',
};

export function can(actor: Actor, permission: Permission): boolean {
  return roleMay(actor.role, permission);
}

/** Refuses with OG_ERR_FORBIDDEN and a sentence naming the role when it lacks the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) fail(Errors.FORBIDDEN, `The role ${actor.role || '(none)'} cannot ${sentence(actor, permission)}.`);
}

/** What the role cannot do, and what it can instead: a Sending Application only checks, it does not view. */
function sentence(actor: Actor, permission: Permission): string {
  if (permission !== 'change') return SENTENCE[permission];
  if (can(actor, 'read')) return 'make changes (it can only view)';
  if (can(actor, 'check')) return 'make changes (it can only submit messages to the send check)';
  return 'make changes';
}

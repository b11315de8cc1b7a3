// Role-based access as data (docs/spec.md §6): which role may do what, checked in the use cases, so the CLI,
// the API and the portal can never disagree. The portal only hides what a role may not use.
import type { Actor } from '../domain/events.js';
import { Errors, fail } from '../errors.js';

export const ROLES = [
  'Global Administrator',
  'Organization Management',
  'Security Administrator',
  'Global Reader',
  'Security Reader',
  'View-Only Organization Management',
  'Sending Application',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * read: see restricted entities, policies, audit; change: unblock, change policies and settings;
 * administer: accounts, roles, tenants; check: submit messages to the send check (POST /api/v1/check),
 * which counts them. `Sending Application` is for the API keys of applications that send mail
 * themselves: they may check and nothing else.
 */
export type Permission = 'read' | 'change' | 'administer' | 'check';

export const PERMISSIONS: Readonly<Record<Role | 'System', readonly Permission[]>> = Object.freeze({
  'Global Administrator': ['read', 'change', 'administer', 'check'],
  'Organization Management': ['read', 'change', 'check'],
  'Security Administrator': ['read', 'change', 'check'],
  'Global Reader': ['read'],
  'Security Reader': ['read'],
  'View-Only Organization Management': ['read'],
  'Sending Application': ['check'],
  System: ['read', 'change', 'administer', 'check'],
});

const SENTENCE: Record<Permission, string> = {
  read: 'see this',
  change: 'make changes',
  administer: 'manage accounts, roles or tenants (only a Global Administrator can)',
  check: 'submit messages to the send check (give the application a Sending Application key)',
};

export function can(actor: Actor, permission: Permission): boolean {
  return (PERMISSIONS[actor.role as Role | 'System'] ?? []).includes(permission);
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

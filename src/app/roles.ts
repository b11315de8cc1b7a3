// Role-based access as data (spec §6): which role may do what, checked in the use cases, so the CLI,
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
] as const;
export type Role = (typeof ROLES)[number];

/** read: see restricted entities, policies, audit; change: unblock, change policies and settings; administer: accounts, roles, tenants. */
export type Permission = 'read' | 'change' | 'administer';

export const PERMISSIONS: Readonly<Record<Role | 'System', readonly Permission[]>> = Object.freeze({
  'Global Administrator': ['read', 'change', 'administer'],
  'Organization Management': ['read', 'change'],
  'Security Administrator': ['read', 'change'],
  'Global Reader': ['read'],
  'Security Reader': ['read'],
  'View-Only Organization Management': ['read'],
  System: ['read', 'change', 'administer'],
});

const SENTENCE: Record<Permission, string> = {
  read: 'see this',
  change: 'make changes (it can only view)',
  administer: 'manage accounts, roles or tenants (only a Global Administrator can)',
};

export function can(actor: Actor, permission: Permission): boolean {
  return (PERMISSIONS[actor.role as Role | 'System'] ?? []).includes(permission);
}

/** Refuses with OG_ERR_FORBIDDEN and a sentence naming the role when it lacks the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) fail(Errors.FORBIDDEN, `The role ${actor.role || '(none)'} cannot ${SENTENCE[permission]}.`);
}

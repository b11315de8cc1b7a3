// The role table (docs/spec.md §6): which role may do what. One copy for both ends: the use cases
// authorize by it (src/app/roles.ts), and the portal hides by it what a role may not use. Pure data.

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

/** Whether a role (by name, as an account carries it) has a permission; an unknown role has none. */
export function roleMay(role: string, permission: Permission): boolean {
  return (PERMISSIONS[role as Role | 'System'] ?? []).includes(permission);
}

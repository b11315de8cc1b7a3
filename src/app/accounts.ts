// Admin accounts and API keys (Global Administrators manage them; anyone may make keys for themselves),
// and the first Global Administrator a new installation gets.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import { PASSWORD_MAX, PASSWORD_MIN, type AdminAccount, type ApiKey } from '../domain/account.js';
import { normalizeAddress, printable } from '../domain/address.js';
import { SYSTEM, type Actor } from '../domain/events.js';
import { bool, oneOf, text, validateName } from '../domain/policy.js';
import { Errors, fail, isOutgateError } from '../errors.js';
import type { AuditEntry } from './audit.js';
import { isoAt, resolveTenant, type AdminContext } from './directory-change.js';
import type { Store } from './ports.js';
import { authorize, ROLES } from './roles.js';

export const FIRST_ADMIN = 'admin';
const KEY_PREFIX = 'og_';

export async function hashPassword(password: string): Promise<string> {
  return argon2Hash(password); // argon2id, the library's memory-hard defaults (19 MiB, t=2)
}

function validPassword(v: unknown): string {
  const p = typeof v === 'string' ? v : '';
  if (p.length < PASSWORD_MIN || p.length > PASSWORD_MAX) fail(Errors.INVALID_ARGUMENT, `Password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long.`);
  return p;
}

function entry(ctx: AdminContext, operation: string, target: string, before: unknown, after: unknown, tenantId: string | null): AuditEntry {
  return { at: ctx.clock.now(), tenantId: tenantId ?? 'provider', actor: ctx.actor, operation, target, before, after, result: 'Succeeded' };
}

/**
 * On a new installation, creates the Global Administrator `admin` with `password`, or with a generated
 * one-time password that the caller shows once, and with `email` (where TenantAdmins alerts go; without
 * one they go nowhere until it is set). Does nothing when any account exists.
 */
export async function ensureFirstAdmin(
  store: Store,
  now: number,
  password?: string,
  email?: string,
): Promise<{ created: false } | { created: true; password: string; generated: boolean; email: string | null }> {
  if ((await store.listAccounts()).length > 0) return { created: false };
  const generated = password === undefined || password === '';
  const pw = generated ? randomBytes(18).toString('base64url') : validPassword(password);
  const Email = emailOf(email);
  const account: AdminAccount = { Id: randomUUID(), Name: FIRST_ADMIN, DisplayName: 'Administrator', Role: 'Global Administrator', TenantId: null, Enabled: true, Email, WhenCreatedUTC: isoAt(now), WhenChangedUTC: isoAt(now) };
  const ctx = { actor: SYSTEM, clock: { now: () => now } } as AdminContext;
  try {
    await store.saveAccount(account, await hashPassword(pw), entry(ctx, 'New-AdminAccount', FIRST_ADMIN, null, account, null));
  } catch (err) {
    // Several nodes starting at once on a new shared store: one of them created it, and that is enough.
    if (isOutgateError(err) && err.code === Errors.ALREADY_EXISTS.code) return { created: false };
    throw err;
  }
  return { created: true, password: pw, generated, email: Email };
}

export async function getAccounts(ctx: AdminContext): Promise<AdminAccount[]> {
  authorize(ctx.actor, 'read');
  const all = await ctx.store.listAccounts();
  return all.filter((a) => ctx.actor.tenantId === null || a.TenantId === ctx.actor.tenantId);
}

export interface AccountInput {
  Role?: unknown;
  DisplayName?: unknown;
  Password?: unknown;
  Enabled?: unknown;
  /** Where alert notifications go; '' or null removes it. */
  Email?: unknown;
}

function emailOf(v: unknown): string | null {
  if (v === undefined || v === null || v === '' || v === '$null') return null;
  return normalizeAddress(String(v), 'Email');
}

export async function newAccount(ctx: AdminContext, name: string, input: AccountInput): Promise<AdminAccount> {
  authorize(ctx.actor, 'administer');
  const Name = validateName('Name', name).toLowerCase();
  if (!/^[a-z0-9._@+-]+$/.test(Name)) fail(Errors.INVALID_ARGUMENT, `Name '${printable(Name)}' may use letters, digits and . _ @ + - only.`);
  const TenantId = await accountTenant(ctx);
  if (ctx.actor.tenantId !== null) await ensureTenantNamespace(ctx, ctx.actor.tenantId, Name);
  if (await ctx.store.getAccount(Name)) fail(Errors.ALREADY_EXISTS, `An account named '${Name}' already exists.`);
  const now = ctx.clock.now();
  const account: AdminAccount = {
    Id: randomUUID(),
    Name,
    DisplayName: input.DisplayName === undefined ? Name : text('DisplayName', input.DisplayName, 128),
    Role: oneOf('Role', input.Role ?? 'Security Reader', ROLES),
    TenantId,
    Enabled: input.Enabled === undefined ? true : bool('Enabled', input.Enabled),
    Email: emailOf(input.Email),
    WhenCreatedUTC: isoAt(now),
    WhenChangedUTC: isoAt(now),
  };
  const hash = input.Password === undefined ? null : await hashPassword(validPassword(input.Password));
  await ctx.store.saveAccount(account, hash, entry(ctx, 'New-AdminAccount', Name, null, account, TenantId));
  return account;
}

export async function setAccount(ctx: AdminContext, identity: string, input: AccountInput): Promise<AdminAccount> {
  const before = await visibleAccount(ctx, identity);
  const self = before.Id === accountIdOf(ctx.actor);
  // Anyone may change their own password; everything else is a Global Administrator's.
  if (!(self && input.Role === undefined && input.Enabled === undefined && input.DisplayName === undefined && input.Email === undefined)) authorize(ctx.actor, 'administer');
  const after: AdminAccount = {
    ...before,
    DisplayName: input.DisplayName === undefined ? before.DisplayName : text('DisplayName', input.DisplayName, 128),
    Role: input.Role === undefined ? before.Role : oneOf('Role', input.Role, ROLES),
    Enabled: input.Enabled === undefined ? before.Enabled : bool('Enabled', input.Enabled),
    Email: input.Email === undefined ? before.Email : emailOf(input.Email),
    WhenChangedUTC: isoAt(ctx.clock.now()),
  };
  await guardLastAdmin(ctx, before, after);
  const hash = input.Password === undefined ? undefined : await hashPassword(validPassword(input.Password));
  const shown = { ...after, ...(hash ? { Password: '(changed)' } : {}) };
  await ctx.store.saveAccount(after, hash, entry(ctx, 'Set-AdminAccount', before.Name, before, shown, before.TenantId));
  return after;
}

export async function removeAccount(ctx: AdminContext, identity: string): Promise<AdminAccount> {
  authorize(ctx.actor, 'administer');
  const account = await visibleAccount(ctx, identity);
  await guardLastAdmin(ctx, account, undefined);
  await ctx.store.removeAccount(account.Id, entry(ctx, 'Remove-AdminAccount', account.Name, account, null, account.TenantId));
  return account;
}

/** Creates an API key for an account (one's own, or any as a Global Administrator); the secret is shown once. */
export async function newApiKey(ctx: AdminContext, accountName: string, name: unknown): Promise<ApiKey & { Secret: string }> {
  const account = await visibleAccount(ctx, accountName);
  if (account.Id !== accountIdOf(ctx.actor)) authorize(ctx.actor, 'administer');
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const key: ApiKey = { Id: id, AccountId: account.Id, Name: text('Name', name ?? 'API key', 64), WhenCreatedUTC: isoAt(ctx.clock.now()), LastUsedUTC: null, RevokedUTC: null };
  await ctx.store.saveApiKey(key, sha256(secret), entry(ctx, 'New-ApiKey', `${account.Name}/${id}`, null, key, account.TenantId));
  return { ...key, Secret: `${KEY_PREFIX}${id}_${secret}` };
}

export async function getApiKeys(ctx: AdminContext, accountName?: string): Promise<ApiKey[]> {
  authorize(ctx.actor, 'read');
  if (accountName !== undefined) return ctx.store.listApiKeys((await visibleAccount(ctx, accountName)).Id);
  const visible = new Set((await getAccounts(ctx)).map((a) => a.Id));
  return (await ctx.store.listApiKeys()).filter((k) => visible.has(k.AccountId));
}

export async function revokeApiKey(ctx: AdminContext, id: string): Promise<ApiKey> {
  const stored = await ctx.store.getApiKey(id.trim().toLowerCase());
  const owner = stored ? (await getAccounts({ ...ctx, actor: { ...ctx.actor, role: 'Global Administrator' } })).find((a) => a.Id === stored.key.AccountId) : undefined;
  if (!stored || !owner) fail(Errors.NOT_FOUND, `No API key '${printable(id)}'.`);
  if (owner.Id !== accountIdOf(ctx.actor)) authorize(ctx.actor, 'administer');
  const done = await ctx.store.revokeApiKey(stored.key.Id, entry(ctx, 'Remove-ApiKey', `${owner.Name}/${stored.key.Id}`, stored.key, null, owner.TenantId));
  if (!done) fail(Errors.CONFLICT, `API key ${stored.key.Id} was already revoked.`);
  return (await ctx.store.getApiKey(stored.key.Id))!.key;
}

/** The actor behind an API key (`og_<id>_<secret>`), or undefined for a wrong, revoked or disabled one. */
export async function authenticateApiKey(store: Store, token: string, ip: string | null, now: number): Promise<Actor | undefined> {
  const m = /^og_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token.trim());
  if (!m) return undefined;
  const stored = await store.getApiKey(m[1]!);
  if (!stored || stored.key.RevokedUTC !== null) return undefined;
  const expected = Buffer.from(stored.secretHash, 'hex');
  const given = Buffer.from(sha256(m[2]!), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const account = (await store.getAccount(stored.key.AccountId))?.account;
  if (!account?.Enabled) return undefined;
  // Last use to the minute is enough, and keeps a busy key from writing on every call.
  const last = stored.key.LastUsedUTC === null ? 0 : Date.parse(stored.key.LastUsedUTC);
  if (now - last > 60_000) await store.touchApiKey(stored.key.Id, now);
  return actorOf(account, 'api', ip);
}

export function actorOf(a: AdminAccount, source: Actor['source'], ip: string | null): Actor {
  return { name: a.Name, role: a.Role, source, ip, tenantId: a.TenantId, accountId: a.Id };
}

function accountIdOf(actor: Actor): string | undefined {
  return actor.accountId;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The tenant a new account belongs to: the actor's own for a tenant admin; else -Tenant if given; else provider-level. */
async function accountTenant(ctx: AdminContext): Promise<string | null> {
  if (ctx.actor.tenantId !== null) return ctx.actor.tenantId;
  if (ctx.tenant === undefined) return null;
  return resolveTenant(await ctx.store.loadDirectory(), ctx.tenant).Id;
}

/**
 * Account names are global (they sign in), so a tenant's admin names accounts inside its own accepted
 * domains: a clash can then only be with a name in that tenant's namespace, never tell it another
 * tenant's account exists.
 */
async function ensureTenantNamespace(ctx: AdminContext, tenantId: string, name: string): Promise<void> {
  const at = name.lastIndexOf('@');
  const domain = at < 0 ? '' : name.slice(at + 1);
  const own = (await ctx.store.loadDirectory()).domains.filter((d) => d.TenantId === tenantId).map((d) => d.DomainName);
  if (!own.includes(domain)) {
    const hint = own.length > 0 ? own.join(', ') : 'none yet; ask your provider to add one';
    fail(Errors.INVALID_ARGUMENT, `An account made by a tenant's admin is named user@domain, with one of the tenant's accepted domains (${hint}).`);
  }
}

async function visibleAccount(ctx: AdminContext, identity: string): Promise<AdminAccount> {
  const found = (await ctx.store.getAccount(identity))?.account;
  if (!found || (ctx.actor.tenantId !== null && found.TenantId !== ctx.actor.tenantId)) fail(Errors.NOT_FOUND, `No admin account '${printable(identity)}'.`);
  return found;
}

/** The installation must keep one enabled provider-level Global Administrator. */
async function guardLastAdmin(ctx: AdminContext, before: AdminAccount, after: AdminAccount | undefined): Promise<void> {
  const isTop = (a: AdminAccount | undefined) => a !== undefined && a.Enabled && a.TenantId === null && a.Role === 'Global Administrator';
  if (!isTop(before) || isTop(after)) return;
  const others = (await ctx.store.listAccounts()).filter((a) => a.Id !== before.Id && isTop(a));
  if (others.length === 0) fail(Errors.CONFLICT, `'${before.Name}' is the last provider-level Global Administrator; make another one first.`);
}

// Get-/New-/Remove-AlertWebhook: where a tenant's alerts are posted as signed JSON. The signing
// secret is shown once, when the webhook is made.
import { randomBytes, randomUUID } from 'node:crypto';
import { printable } from '../domain/address.js';
import { bool, validateName } from '../domain/policy.js';
import { Errors, fail } from '../errors.js';
import { entry } from './alert-policies.js';
import { tenantFor, isoAt, type AdminContext } from './directory-change.js';
import type { StoredWebhook } from './ports.js';
import { authorize } from './roles.js';

export interface WebhookView {
  Identity: string;
  Name: string;
  Url: string;
  Enabled: boolean;
  TenantId: string;
  WhenCreated: string;
}

export async function getWebhooks(ctx: AdminContext): Promise<WebhookView[]> {
  authorize(ctx.actor, 'read');
  const tenant = tenantFor(ctx, await ctx.store.loadDirectory());
  return (await ctx.store.listWebhooks(tenant.Id)).map(present);
}

export async function newWebhook(ctx: AdminContext, input: { Name?: unknown; Url?: unknown; Enabled?: unknown }): Promise<WebhookView & { Secret: string }> {
  const name = validateName('Name', input.Name);
  const url = webhookUrl(input.Url);
  authorize(ctx.actor, 'change');
  const tenant = tenantFor(ctx, await ctx.store.loadDirectory());
  if ((await ctx.store.listWebhooks(tenant.Id)).some((w) => w.name.toLowerCase() === name.toLowerCase())) fail(Errors.ALREADY_EXISTS, `A webhook named '${name}' already exists.`);
  // Checked again at every delivery (DNS may change); refused here so the admin hears it at once.
  if (!(await (ctx.webhookTargetAllowed?.(url) ?? false))) {
    fail(Errors.INVALID_ARGUMENT, 'Url must reach a public address: loopback, private, link-local and other internal addresses are refused (the operator can allow one with alerts.webhookAllow).');
  }
  const hook: StoredWebhook = {
    id: randomUUID(),
    tenantId: tenant.Id,
    name,
    url,
    secret: `whsec_${randomBytes(24).toString('base64url')}`,
    enabled: input.Enabled === undefined ? true : bool('Enabled', input.Enabled),
    createdAt: ctx.clock.now(),
  };
  await ctx.store.saveWebhook(hook, entry(ctx, tenant, 'New-AlertWebhook', name, null, present(hook)));
  return { ...present(hook), Secret: hook.secret };
}

export async function removeWebhook(ctx: AdminContext, identity: string): Promise<WebhookView> {
  authorize(ctx.actor, 'change');
  const tenant = tenantFor(ctx, await ctx.store.loadDirectory());
  const key = identity.trim().toLowerCase();
  const hook = (await ctx.store.listWebhooks(tenant.Id)).find((w) => w.id === key || w.name.toLowerCase() === key);
  if (!hook) fail(Errors.NOT_FOUND, `No alert webhook '${printable(identity)}' exists in this tenant.`);
  await ctx.store.removeWebhook(hook.id, entry(ctx, tenant, 'Remove-AlertWebhook', hook.name, present(hook), null));
  return present(hook);
}

function webhookUrl(v: unknown): string {
  let url: URL;
  try {
    url = new URL(String(v));
  } catch {
    fail(Errors.INVALID_ARGUMENT, `Url '${printable(String(v))}' is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(Errors.INVALID_ARGUMENT, 'Url must be http:// or https://.');
  if (url.username || url.password) fail(Errors.INVALID_ARGUMENT, 'Url must not carry a user name or password; the payload is signed instead.');
  if (url.href.length > 2048) fail(Errors.OUT_OF_RANGE, 'Url must be at most 2048 characters.');
  return url.href;
}

function present(w: StoredWebhook): WebhookView {
  return { Identity: w.id, Name: w.name, Url: w.url, Enabled: w.enabled, TenantId: w.tenantId, WhenCreated: isoAt(w.createdAt) };
}

// Admin accounts, API keys and tenants (Global Administrators; anyone for their own keys and password).
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as accounts from '../../../app/accounts.js';
import { ROLES } from '../../../app/roles.js';
import * as tenants from '../../../app/tenants.js';
import { TENANT_LIMIT_MAX } from '../../../shared/tenant-limit.js';
import { AdminAccountSchema, ApiKeySchema, NewApiKeySchema, TenantSchema } from '../../../shared/api-schemas.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';

const Account = AdminAccountSchema;
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

export async function accountRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Accounts and keys'];
  r.get('/api/v1/accounts', { schema: { tags, summary: 'Admin accounts you can see.', response: { 200: Type.Array(Account), ...errors } } }, async (req) => accounts.getAccounts(ctxOf(deps, req)));
  r.post(
    '/api/v1/accounts',
    {
      schema: {
        tags,
        summary: 'Create an admin account (Global Administrator); ?tenant= binds it to a tenant.',
        querystring: TenantQuery,
        body: Type.Object({ Name: Type.String({ minLength: 1, maxLength: 64 }), Role, DisplayName: Type.Optional(Type.String({ maxLength: 128 })), Password: Type.Optional(Type.String({ maxLength: 256 })), Email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])) }, { additionalProperties: false }),
        response: { 201: Account, ...errors },
      },
    },
    async (req, reply) => {
      const { Name: name, ...input } = req.body;
      return reply.status(201).send(await accounts.newAccount(ctxOf(deps, req), name, input));
    },
  );
  r.patch(
    '/api/v1/accounts/:name',
    {
      schema: {
        tags,
        summary: 'Change role, name shown, enabled state or password.',
        params: Name,
        body: Type.Object({ Role: Type.Optional(Role), DisplayName: Type.Optional(Type.String({ maxLength: 128 })), Enabled: Type.Optional(Type.Boolean()), Password: Type.Optional(Type.String({ maxLength: 256 })), Email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])) }, { additionalProperties: false }),
        response: { 200: Account, ...errors },
      },
    },
    async (req) => accounts.setAccount(ctxOf(deps, req), req.params.name, req.body),
  );
  r.delete('/api/v1/accounts/:name', { schema: { tags, summary: 'Remove an admin account and its keys.', params: Name, response: { 200: Account, ...errors } } }, async (req) =>
    accounts.removeAccount(ctxOf(deps, req), req.params.name),
  );
  r.get('/api/v1/accounts/:name/api-keys', { schema: { tags, summary: "An account's API keys.", params: Name, response: { 200: Type.Array(ApiKeySchema), ...errors } } }, async (req) =>
    accounts.getApiKeys(ctxOf(deps, req), req.params.name),
  );
  r.post(
    '/api/v1/accounts/:name/api-keys',
    { schema: { tags, summary: 'Create an API key; the secret is in this answer only.', params: Name, body: Type.Object({ Name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), response: { 201: NewApiKeySchema, ...errors } } },
    async (req, reply) => reply.status(201).send(await accounts.newApiKey(ctxOf(deps, req), req.params.name, req.body.Name)),
  );
  r.delete('/api/v1/api-keys/:id', { schema: { tags, summary: 'Revoke an API key.', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: ApiKeySchema, ...errors } } }, async (req) =>
    accounts.revokeApiKey(ctxOf(deps, req), req.params.id),
  );
  r.get('/api/v1/tenants', { schema: { tags: ['Tenants'], summary: 'Tenants you can see.', response: { 200: Type.Array(TenantSchema), ...errors } } }, async (req) => tenants.getTenants(ctxOf(deps, req)));
  r.post(
    '/api/v1/tenants',
    { schema: { tags: ['Tenants'], summary: 'Create a tenant with its default policy (provider-level Global Administrator).', body: Type.Object({ Name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }), response: { 201: TenantSchema, ...errors } } },
    async (req, reply) => reply.status(201).send(await tenants.newTenant(ctxOf(deps, req), req.body.Name)),
  );
  r.patch(
    '/api/v1/tenants/:identity',
    {
      schema: {
        tags: ['Tenants'],
        summary: "Set a tenant's external recipient limit per rolling 24 h, 0 = none (Set-Tenant; provider-level Global Administrator).",
        params: Type.Object({ identity: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({ ExternalRecipientLimitPerDay: Type.Integer({ minimum: 0, maximum: TENANT_LIMIT_MAX }) }, { additionalProperties: false }),
        response: { 200: TenantSchema, ...errors },
      },
    },
    async (req) => tenants.setTenant(ctxOf(deps, req), req.params.identity, req.body),
  );
}

// Send As grants (Add-/Get-/Remove-RecipientPermission): list, add, remove (docs/spec.md §3).
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as permissions from '../../../app/recipient-permissions.js';
import { RecipientPermissionSchema } from '../../../shared/api-schemas.js';
import { ctxOf, errors, type RouteDeps } from '../context.js';

const Address = Type.String({ minLength: 1, maxLength: 320 });
const Grant = Type.Object(
  { Identity: Address, Trustee: Address, AccessRights: Type.Union([Type.Literal('SendAs'), Type.Array(Type.Literal('SendAs'), { minItems: 1, maxItems: 1 })]) },
  { additionalProperties: false },
);
const Permission = RecipientPermissionSchema;
const Tenant = { tenant: Type.Optional(Type.String({ maxLength: 64, description: 'Tenant name or id (provider-level callers).' })) };
const tags = ['Recipient permissions'];

export async function recipientPermissionRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/recipient-permissions',
    {
      schema: {
        tags,
        summary: 'Send As grants, optionally for one mailbox or one trustee (Get-RecipientPermission).',
        querystring: Type.Object({ ...Tenant, Identity: Type.Optional(Address), Trustee: Type.Optional(Address) }),
        response: { 200: Type.Array(Permission), ...errors },
      },
    },
    async (req) => permissions.getRecipientPermissions(ctxOf(deps, req), { Identity: req.query.Identity, Trustee: req.query.Trustee }),
  );
  r.post(
    '/api/v1/recipient-permissions',
    { schema: { tags, summary: 'Let Trustee send as Identity (Add-RecipientPermission).', querystring: Type.Object(Tenant), body: Grant, response: { 201: Permission, ...errors } } },
    async (req, reply) => reply.status(201).send(await permissions.addRecipientPermission(ctxOf(deps, req), req.body)),
  );
  r.delete(
    '/api/v1/recipient-permissions',
    { schema: { tags, summary: 'Withdraw a Send As grant (Remove-RecipientPermission).', querystring: Type.Object(Tenant), body: Grant, response: { 200: Permission, ...errors } } },
    async (req) => permissions.removeRecipientPermission(ctxOf(deps, req), req.body),
  );
}

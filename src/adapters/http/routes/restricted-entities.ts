// Restricted entities: the list (search, filter, sort, page), one entity with history and hourly
// sending, and the unblock of a user, a connector or a tenant.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as entities from '../../../app/restricted-entities.js';
import { RESTRICTION_SORTS } from '../../../app/ports/restrictions.js';
import { RestrictedEntityDetailsSchema, RestrictedEntityListSchema, RestrictedEntitySchema } from '../../../shared/api-schemas.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';

const EntityType = Type.Union([Type.Literal('Mailbox'), Type.Literal('Connector'), Type.Literal('Tenant')]);
const Unblock = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false });
const tags = ['Restricted entities'];

export async function restrictedEntityRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/restricted-entities',
    {
      schema: {
        tags,
        summary: 'List users, connectors and tenants restricted from sending (now or before).',
        querystring: Type.Intersect([
          TenantQuery,
          Type.Object({
            entityType: Type.Optional(EntityType),
            status: Type.Optional(Type.Union([Type.Literal('Restricted'), Type.Literal('Released')])),
            search: Type.Optional(Type.String({ maxLength: 320 })),
            sort: Type.Optional(Type.Union(RESTRICTION_SORTS.map((s) => Type.Literal(s)))),
            order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
            page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          }),
        ]),
        response: { 200: RestrictedEntityListSchema, ...errors },
      },
    },
    async (req) => entities.listRestrictedEntities(ctxOf(deps, req), req.query as entities.EntityQuery),
  );
  r.get(
    '/api/v1/restricted-entities/:entityType/:identity',
    {
      schema: {
        tags,
        summary: 'One entity: its restriction, full history and recipients per hour over 7 days.',
        params: Type.Object({ entityType: EntityType, identity: Type.String({ minLength: 1, maxLength: 320 }) }),
        querystring: TenantQuery,
        response: { 200: RestrictedEntityDetailsSchema, ...errors },
      },
    },
    async (req) => entities.getRestrictedEntity(ctxOf(deps, req), req.params.entityType, req.params.identity),
  );
  // One unblock route per entity type: the same shape, each calling its own use case.
  const unblocks = [
    { type: 'Mailbox', summary: 'Unblock a user (Remove-BlockedSenderAddress); its sending windows restart.', run: entities.unblockSender },
    { type: 'Connector', summary: 'Unblock an inbound connector (Remove-BlockedConnector).', run: entities.unblockConnector },
    { type: 'Tenant', summary: 'Unblock a tenant (Remove-BlockedTenant; provider-level Global Administrator); its external recipient count restarts.', run: entities.unblockTenant },
  ] as const;
  for (const u of unblocks) {
    r.post(
      `/api/v1/restricted-entities/${u.type}/:identity/unblock`,
      {
        schema: {
          tags,
          summary: u.summary,
          params: Type.Object({ identity: Type.String({ minLength: 1, maxLength: 320 }) }),
          querystring: TenantQuery,
          body: Unblock,
          response: { 200: RestrictedEntitySchema, ...errors },
        },
      },
      async (req) => u.run(ctxOf(deps, req), req.params.identity, req.body.reason),
    );
  }
}

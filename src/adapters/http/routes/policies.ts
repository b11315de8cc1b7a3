// Outbound spam policies: list, read, create, change, remove.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as policies from '../../../app/policies.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';
import { OutboundPolicySchema } from '../../../shared/api-schemas.js';

const Limit = Type.Integer({ minimum: 0, maximum: 10_000, description: '0 = the service default' });
const Settings = {
  AdminDisplayName: Type.Optional(Type.String({ maxLength: 1024 })),
  RecipientLimitExternalPerHour: Type.Optional(Limit),
  RecipientLimitInternalPerHour: Type.Optional(Limit),
  RecipientLimitPerDay: Type.Optional(Limit),
  ActionWhenThresholdReached: Type.Optional(Type.Union([Type.Literal('BlockUserForToday'), Type.Literal('BlockUser'), Type.Literal('Alert')])),
  AutoForwardingMode: Type.Optional(Type.Union([Type.Literal('Automatic'), Type.Literal('On'), Type.Literal('Off')])),
  BccSuspiciousOutboundMail: Type.Optional(Type.Boolean()),
  BccSuspiciousOutboundAdditionalRecipients: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })),
  NotifyOutboundSpam: Type.Optional(Type.Boolean()),
  NotifyOutboundSpamRecipients: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })),
};
const Policy = OutboundPolicySchema;
const Identity = Type.Object({ identity: Type.String({ minLength: 1, maxLength: 64 }) });
const tags = ['Outbound spam policies'];

export async function policyRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/v1/outbound-policies', { schema: { tags, summary: 'All outbound spam policies, the default last.', querystring: TenantQuery, response: { 200: Type.Array(Policy), ...errors } } }, async (req) =>
    policies.getPolicies(ctxOf(deps, req)),
  );
  r.get('/api/v1/outbound-policies/:identity', { schema: { tags, summary: 'One policy by name or id.', params: Identity, querystring: TenantQuery, response: { 200: Policy, ...errors } } }, async (req) => {
    const [p] = await policies.getPolicies(ctxOf(deps, req), req.params.identity);
    return p;
  });
  r.post(
    '/api/v1/outbound-policies',
    {
      schema: {
        tags,
        summary: 'Create a custom policy (New-HostedOutboundSpamFilterPolicy).',
        querystring: TenantQuery,
        body: Type.Object(
          { Name: Type.String({ minLength: 1, maxLength: 64 }), ...Settings, RecommendedPolicyType: Type.Optional(Type.String({ maxLength: 64, description: 'Accepted and ignored (EOP presets only).' })) },
          { additionalProperties: false },
        ),
        response: { 201: Policy, ...errors },
      },
    },
    async (req, reply) => {
      const { Name, ...settings } = req.body;
      return reply.status(201).send(await policies.newPolicy(ctxOf(deps, req), Name, settings));
    },
  );
  r.patch(
    '/api/v1/outbound-policies/:identity',
    {
      schema: {
        tags,
        summary: 'Change a policy, the default one included (Set-HostedOutboundSpamFilterPolicy).',
        params: Identity,
        querystring: TenantQuery,
        body: Type.Object(Settings, { additionalProperties: false }),
        response: { 200: Policy, ...errors },
      },
    },
    async (req) => policies.setPolicy(ctxOf(deps, req), req.params.identity, req.body),
  );
  r.delete('/api/v1/outbound-policies/:identity', { schema: { tags, summary: 'Remove a custom policy.', params: Identity, querystring: TenantQuery, response: { 200: Policy, ...errors } } }, async (req) =>
    policies.removePolicy(ctxOf(deps, req), req.params.identity),
  );
}

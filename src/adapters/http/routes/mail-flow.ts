// The rest of the directory an admin manages over the API: outbound spam filter rules (which senders a
// custom policy covers), accepted domains (what is internal) and inbound connectors (unauthenticated
// relays counted as one sender). Same shapes and names as the cmdlets.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as domains from '../../../app/accepted-domains.js';
import * as connectors from '../../../app/connectors.js';
import * as rules from '../../../app/rules.js';
import { AcceptedDomainSchema, InboundConnectorSchema, OutboundRuleSchema } from '../../../shared/api-schemas.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';

const Identity = Type.Object({ identity: Type.String({ minLength: 1, maxLength: 320 }) });
const Addresses = Type.Array(Type.String({ maxLength: 320 }), { maxItems: 1000 });
const Limit = Type.Integer({ minimum: 0, maximum: 10_000, description: '0 = the service connector default' });

const RuleFields = {
  HostedOutboundSpamFilterPolicy: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The policy the rule applies.' })),
  Priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  Enabled: Type.Optional(Type.Boolean()),
  Comments: Type.Optional(Type.String({ maxLength: 1024 })),
  From: Type.Optional(Addresses),
  FromMemberOf: Type.Optional(Addresses),
  SenderDomainIs: Type.Optional(Addresses),
  ExceptIfFrom: Type.Optional(Addresses),
  ExceptIfFromMemberOf: Type.Optional(Addresses),
  ExceptIfSenderDomainIs: Type.Optional(Addresses),
};
const ConnectorFields = {
  SenderIPAddresses: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
  Enabled: Type.Optional(Type.Boolean()),
  Comment: Type.Optional(Type.String({ maxLength: 1024 })),
  RecipientLimitExternalPerHour: Type.Optional(Limit),
  RecipientLimitInternalPerHour: Type.Optional(Limit),
  RecipientLimitPerDay: Type.Optional(Limit),
};
const Rule = OutboundRuleSchema;
const Domain = AcceptedDomainSchema;
const Connector = InboundConnectorSchema;
const Name = Type.String({ minLength: 1, maxLength: 64 });

export async function mailFlowRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  let tags = ['Outbound spam filter rules'];
  r.get('/api/v1/outbound-rules', { schema: { tags, summary: 'Rules in priority order (Get-HostedOutboundSpamFilterRule).', querystring: TenantQuery, response: { 200: Type.Array(Rule), ...errors } } }, async (req) =>
    rules.getRules(ctxOf(deps, req)),
  );
  r.get('/api/v1/outbound-rules/:identity', { schema: { tags, summary: 'One rule by name or id.', params: Identity, querystring: TenantQuery, response: { 200: Rule, ...errors } } }, async (req) =>
    (await rules.getRules(ctxOf(deps, req), req.params.identity))[0],
  );
  r.post(
    '/api/v1/outbound-rules',
    { schema: { tags, summary: 'Bind a custom policy to senders (New-HostedOutboundSpamFilterRule).', querystring: TenantQuery, body: Type.Object({ Name, ...RuleFields }, { additionalProperties: false }), response: { 201: Rule, ...errors } } },
    async (req, reply) => {
      const { Name: name, ...input } = req.body;
      return reply.status(201).send(await rules.newRule(ctxOf(deps, req), name, input));
    },
  );
  r.patch(
    '/api/v1/outbound-rules/:identity',
    { schema: { tags, summary: 'Change a rule; Enabled turns it on or off (Set-, Enable-, Disable-HostedOutboundSpamFilterRule).', params: Identity, querystring: TenantQuery, body: Type.Object({ Name: Type.Optional(Name), ...RuleFields }, { additionalProperties: false }), response: { 200: Rule, ...errors } } },
    async (req) => {
      const { Enabled, ...input } = req.body;
      const ctx = ctxOf(deps, req);
      let rule = Object.keys(input).length > 0 || Enabled === undefined ? await rules.setRule(ctx, req.params.identity, input) : undefined;
      if (Enabled !== undefined) rule = await rules.setRuleState(ctx, rule?.Name ?? req.params.identity, Enabled);
      return rule;
    },
  );
  r.delete('/api/v1/outbound-rules/:identity', { schema: { tags, summary: 'Remove a rule (its policy stays).', params: Identity, querystring: TenantQuery, response: { 200: Rule, ...errors } } }, async (req) =>
    rules.removeRule(ctxOf(deps, req), req.params.identity),
  );

  tags = ['Accepted domains'];
  r.get('/api/v1/accepted-domains', { schema: { tags, summary: "The tenant's domains: recipients there are internal.", querystring: TenantQuery, response: { 200: Type.Array(Domain), ...errors } } }, async (req) =>
    domains.getAcceptedDomains(ctxOf(deps, req)),
  );
  r.post(
    '/api/v1/accepted-domains',
    {
      schema: {
        tags,
        summary: 'Add an accepted domain (New-AcceptedDomain).',
        querystring: TenantQuery,
        body: Type.Object({ DomainName: Type.String({ minLength: 1, maxLength: 253 }), Name: Type.Optional(Name) }, { additionalProperties: false }),
        response: { 201: Domain, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await domains.newAcceptedDomain(ctxOf(deps, req), req.body.Name ?? req.body.DomainName, req.body.DomainName)),
  );
  r.delete('/api/v1/accepted-domains/:identity', { schema: { tags, summary: 'Remove an accepted domain (by name, id or domain).', params: Identity, querystring: TenantQuery, response: { 200: Domain, ...errors } } }, async (req) =>
    domains.removeAcceptedDomain(ctxOf(deps, req), req.params.identity),
  );

  tags = ['Inbound connectors'];
  r.get('/api/v1/inbound-connectors', { schema: { tags, summary: 'Inbound connectors (Get-InboundConnector).', querystring: TenantQuery, response: { 200: Type.Array(Connector), ...errors } } }, async (req) =>
    connectors.getConnectors(ctxOf(deps, req)),
  );
  r.get('/api/v1/inbound-connectors/:identity', { schema: { tags, summary: 'One connector by name or id.', params: Identity, querystring: TenantQuery, response: { 200: Connector, ...errors } } }, async (req) =>
    (await connectors.getConnectors(ctxOf(deps, req), req.params.identity))[0],
  );
  r.post(
    '/api/v1/inbound-connectors',
    { schema: { tags, summary: 'Add a connector: unauthenticated mail from its CIDRs is counted as it (New-InboundConnector).', querystring: TenantQuery, body: Type.Object({ Name, ...ConnectorFields }, { additionalProperties: false }), response: { 201: Connector, ...errors } } },
    async (req, reply) => {
      const { Name: name, ...input } = req.body;
      return reply.status(201).send(await connectors.newConnector(ctxOf(deps, req), name, input));
    },
  );
  r.patch(
    '/api/v1/inbound-connectors/:identity',
    { schema: { tags, summary: 'Change a connector (Set-InboundConnector).', params: Identity, querystring: TenantQuery, body: Type.Object({ Name: Type.Optional(Name), ...ConnectorFields }, { additionalProperties: false }), response: { 200: Connector, ...errors } } },
    async (req) => connectors.setConnector(ctxOf(deps, req), req.params.identity, req.body),
  );
  r.delete('/api/v1/inbound-connectors/:identity', { schema: { tags, summary: 'Remove a connector.', params: Identity, querystring: TenantQuery, response: { 200: Connector, ...errors } } }, async (req) =>
    connectors.removeConnector(ctxOf(deps, req), req.params.identity),
  );
}

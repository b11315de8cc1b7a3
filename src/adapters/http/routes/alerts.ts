// Alert policies, alerts and alert webhooks (docs/spec.md §5). Every list and object carries `auditEnabled`:
// with auditing off no alert fires, and a UI should say why.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as policies from '../../../app/alert-policies.js';
import * as alerts from '../../../app/alerts.js';
import * as webhooks from '../../../app/alert-webhooks.js';
import { ALERT_EVENTS, DAILY_LIMITS, SEVERITIES } from '../../../domain/alert-policy.js';
import { ALERT_STATUSES } from '../../../domain/alert.js';
import {
  AlertDetailSchema,
  AlertListSchema,
  AlertPolicyListSchema,
  AlertPolicyOneSchema,
  AlertWebhookSchema,
  NewAlertWebhookSchema,
} from '../../../shared/api-schemas.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';

// Unsafe keeps the enum's JSON schema and gives it its TypeScript type (a mapped union loses it).
const lit = <T extends string | number>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));
const Severity = lit(SEVERITIES);
const Event = lit(ALERT_EVENTS);
const Status = lit(ALERT_STATUSES);
const EntityType = lit(['Mailbox', 'Connector', 'Tenant'] as const);
const DailyLimit = Type.Union([lit(DAILY_LIMITS), Type.Null()], { description: 'null = No limit' });
const NotifyUser = Type.Array(Type.String({ minLength: 1, maxLength: 320 }), { maxItems: 50, description: 'TenantAdmins, email addresses or admin account names.' });

const Webhook = AlertWebhookSchema;
const Identity = Type.Object({ identity: Type.String({ minLength: 1, maxLength: 64 }) });

export async function alertRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const smtp = deps.alertSmtpConfigured ?? false;
  let tags = ['Alert policies'];
  r.get(
    '/api/v1/alert-policies',
    { schema: { tags, summary: 'The built-in and custom alert policies (Get-ProtectionAlert).', querystring: TenantQuery, response: { 200: AlertPolicyListSchema, ...errors } } },
    async (req) => ({ ...(await policies.getAlertPolicies(ctxOf(deps, req))), smtpConfigured: smtp }),
  );
  r.get('/api/v1/alert-policies/:identity', { schema: { tags, summary: 'One alert policy by identity or name.', params: Identity, querystring: TenantQuery, response: { 200: AlertPolicyOneSchema, ...errors } } }, async (req) => ({
    ...(await policies.getAlertPolicy(ctxOf(deps, req), req.params.identity)),
    smtpConfigured: smtp,
  }));
  r.patch(
    '/api/v1/alert-policies/:identity',
    {
      schema: {
        tags,
        summary: 'Change an alert policy (Set-ProtectionAlert); built-in ones: only Disabled and the notification settings.',
        params: Identity,
        querystring: TenantQuery,
        body: Type.Object(
          {
            Disabled: Type.Optional(Type.Boolean()),
            NotificationEnabled: Type.Optional(Type.Boolean()),
            NotifyUser: Type.Optional(NotifyUser),
            DailyNotificationLimit: Type.Optional(DailyLimit),
            Severity: Type.Optional(Severity),
            AggregationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
            Description: Type.Optional(Type.String({ maxLength: 1024 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: AlertPolicyOneSchema, ...errors },
      },
    },
    async (req) => policies.setAlertPolicy(ctxOf(deps, req), req.params.identity, req.body),
  );
  r.post(
    '/api/v1/alert-policies',
    {
      schema: {
        tags,
        summary: 'Create a custom alert policy on one of the event kinds (New-ProtectionAlert).',
        querystring: TenantQuery,
        body: Type.Object(
          {
            Name: Type.String({ minLength: 1, maxLength: 64 }),
            Event,
            Severity,
            NotifyUser: Type.Optional(NotifyUser),
            NotificationEnabled: Type.Optional(Type.Boolean()),
            DailyNotificationLimit: Type.Optional(DailyLimit),
            AggregationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
            Description: Type.Optional(Type.String({ maxLength: 1024 })),
            Disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: AlertPolicyOneSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await policies.newAlertPolicy(ctxOf(deps, req), req.body)),
  );
  r.delete('/api/v1/alert-policies/:identity', { schema: { tags, summary: 'Remove a custom alert policy (built-in ones cannot be removed).', params: Identity, querystring: TenantQuery, response: { 200: AlertPolicyOneSchema, ...errors } } }, async (req) =>
    policies.removeAlertPolicy(ctxOf(deps, req), req.params.identity),
  );

  tags = ['Alerts'];
  r.get(
    '/api/v1/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts, newest event first (Get-Alert).',
        querystring: Type.Intersect([
          TenantQuery,
          Type.Object({
            status: Type.Optional(Status),
            severity: Type.Optional(Severity),
            entityType: Type.Optional(EntityType),
            search: Type.Optional(Type.String({ maxLength: 320 })),
            page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          }),
        ]),
        response: { 200: AlertListSchema, ...errors },
      },
    },
    async (req) => alerts.listAlerts(ctxOf(deps, req), req.query),
  );
  r.get('/api/v1/alerts/:identity', { schema: { tags, summary: 'One alert with its events and notifications.', params: Identity, querystring: TenantQuery, response: { 200: AlertDetailSchema, ...errors } } }, async (req) =>
    alerts.getAlert(ctxOf(deps, req), req.params.identity),
  );
  r.patch(
    '/api/v1/alerts/:identity',
    {
      schema: { tags, summary: 'Change the status of an alert (Set-Alert).', params: Identity, querystring: TenantQuery, body: Type.Object({ Status }, { additionalProperties: false }), response: { 200: AlertDetailSchema, ...errors } },
    },
    async (req) => alerts.setAlertStatus(ctxOf(deps, req), req.params.identity, req.body.Status),
  );

  tags = ['Alert webhooks'];
  r.get('/api/v1/alert-webhooks', { schema: { tags, summary: 'Where alerts are posted (Get-AlertWebhook).', querystring: TenantQuery, response: { 200: Type.Array(Webhook), ...errors } } }, async (req) =>
    webhooks.getWebhooks(ctxOf(deps, req)),
  );
  r.post(
    '/api/v1/alert-webhooks',
    {
      schema: {
        tags,
        summary: 'Add a webhook; its signing Secret is in this answer only (New-AlertWebhook).',
        querystring: TenantQuery,
        body: Type.Object({ Name: Type.String({ minLength: 1, maxLength: 64 }), Url: Type.String({ minLength: 1, maxLength: 2048 }), Enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 201: NewAlertWebhookSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await webhooks.newWebhook(ctxOf(deps, req), req.body)),
  );
  r.delete('/api/v1/alert-webhooks/:identity', { schema: { tags, summary: 'Remove a webhook (Remove-AlertWebhook).', params: Identity, querystring: TenantQuery, response: { 200: Webhook, ...errors } } }, async (req) =>
    webhooks.removeWebhook(ctxOf(deps, req), req.params.identity),
  );
}

// Sending: the live view of who is closest to a limit, one sender's last 7 days, the policy what-if,
// and the send check applications call before they send (the Postfix server's decision over HTTP).
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { checkMessage } from '../../../app/check-message.js';
import { getSenderActivity, getSendingActivity } from '../../../app/sending-activity.js';
import { policyWhatIf } from '../../../app/what-if.js';
import { CheckAnswerSchema, SenderActivityDetailSchema, SendingActivityListSchema, WhatIfSchema } from '../../../shared/api-schemas.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';

const EntityType = Type.Union([Type.Literal('Mailbox'), Type.Literal('Connector')]);
const Addresses = Type.Array(Type.String({ maxLength: 320 }), { maxItems: 1000 });
const Limit = Type.Integer({ minimum: 0, maximum: 10_000 });

export async function sendingRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Sending activity'];
  r.get(
    '/api/v1/sending-activity',
    {
      schema: {
        tags,
        summary: 'The senders closest to their limits right now (share of each limit used, largest first).',
        querystring: Type.Intersect([TenantQuery, Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), search: Type.Optional(Type.String({ maxLength: 320 })) })]),
        response: { 200: SendingActivityListSchema, ...errors },
      },
    },
    async (req) => getSendingActivity(ctxOf(deps, req), deps.checkSend, { limit: req.query.limit, search: req.query.search }),
  );
  r.get(
    '/api/v1/sending-activity/:entityType/:identity',
    {
      schema: {
        tags,
        summary: "One sender now, and its recipients per hour over the last 7 days (every hour, zeros included).",
        params: Type.Object({ entityType: EntityType, identity: Type.String({ minLength: 1, maxLength: 320 }) }),
        querystring: TenantQuery,
        response: { 200: SenderActivityDetailSchema, ...errors },
      },
    },
    async (req) => getSenderActivity(ctxOf(deps, req), deps.checkSend, req.params.entityType, req.params.identity),
  );
  r.post(
    '/api/v1/outbound-policies/what-if',
    {
      schema: {
        tags: ['Outbound spam policies'],
        summary: 'Which senders a proposed policy (or a change to one) would have restricted in the last 7 days, and when. Saves nothing.',
        querystring: TenantQuery,
        body: Type.Object(
          {
            Policy: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'An existing policy to change; absent: a new policy.' })),
            Name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The new policy's name." })),
            Priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: "Where the policy's rule would sit (0 first); absent: where saving would put it." })),
            Settings: Type.Optional(
              Type.Object(
                {
                  RecipientLimitExternalPerHour: Type.Optional(Limit),
                  RecipientLimitInternalPerHour: Type.Optional(Limit),
                  RecipientLimitPerDay: Type.Optional(Limit),
                  ActionWhenThresholdReached: Type.Optional(Type.Union([Type.Literal('BlockUserForToday'), Type.Literal('BlockUser'), Type.Literal('Alert')])),
                },
                { additionalProperties: false },
              ),
            ),
            Rule: Type.Optional(
              Type.Object(
                { From: Type.Optional(Addresses), FromMemberOf: Type.Optional(Addresses), SenderDomainIs: Type.Optional(Addresses), ExceptIfFrom: Type.Optional(Addresses), ExceptIfFromMemberOf: Type.Optional(Addresses), ExceptIfSenderDomainIs: Type.Optional(Addresses) },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: WhatIfSchema, ...errors },
      },
    },
    async (req) => policyWhatIf(ctxOf(deps, req), deps.serviceLimits, req.body),
  );
  r.post(
    '/api/v1/check',
    {
      schema: {
        tags: ['Send check'],
        summary: 'Judge and count one message as the Postfix policy server would: the decision, the SMTP reply and the counts. Call it before sending; Accept means it was counted.',
        body: Type.Object(
          {
            Sender: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'The authenticated submitter (sasl_username).' })),
            From: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Envelope sender; selects the policy. Defaults to Sender.' })),
            Recipients: Type.Array(Type.String({ minLength: 1, maxLength: 320 }), { minItems: 1, maxItems: 1000 }),
            ClientAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'For unauthenticated mail: counted as the inbound connector covering it.' })),
            MessageId: Type.Optional(Type.String({ maxLength: 256 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: CheckAnswerSchema, ...errors },
      },
    },
    async (req) => checkMessage(ctxOf(deps, req), deps.checkSend, req.body),
  );
}

// Turns a request into the AdminContext every use case takes: the store, the clock, the caller, and
// the tenant asked for (`?tenant=`).
import type { FastifyRequest } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { AdminContext } from '../../app/directory-change.js';
import type { CheckSend } from '../../app/check-send.js';
import type { Clock, Store } from '../../app/ports.js';
import type { ServiceLimits } from '../../domain/service-limits.js';

export interface RouteDeps {
  store: Store;
  clock: Clock;
  unblockLimit: number;
  checkSend: CheckSend;
  serviceLimits: ServiceLimits;
  webhookTargetAllowed: (url: string) => Promise<boolean>;
  /** alerts.smtp.host is set (else alert email waits in the outbox); absent: not. */
  alertSmtpConfigured?: boolean;
}

export const TenantQuery = Type.Object({ tenant: Type.Optional(Type.String({ maxLength: 64, description: 'Tenant name or id (provider-level callers).' })) });

export function ctxOf(deps: RouteDeps, req: FastifyRequest): AdminContext {
  const tenant = (req.query as { tenant?: string } | undefined)?.tenant;
  return { store: deps.store, clock: deps.clock, actor: req.actor, tenant, unblockLimit: deps.unblockLimit, webhookTargetAllowed: deps.webhookTargetAllowed };
}

export const ErrorSchema = Type.Object({ statusCode: Type.Integer(), code: Type.String(), message: Type.String() });
export const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

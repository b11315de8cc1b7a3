// Liveness, readiness and Prometheus metrics: unauthenticated, for load balancers and monitoring.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

export interface HealthDeps {
  /** Throws when the store cannot serve a read. */
  checkStore(): Promise<void>;
  /** The Prometheus exposition. */
  metrics: { contentType: string; text(): Promise<string> };
}

const Status = Type.Object({ status: Type.String({ description: 'ok, or unavailable with a reason' }), reason: Type.Optional(Type.String()) });

export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/v1/health', { schema: { tags: ['Health'], summary: 'Liveness: the process answers.', response: { 200: Status } } }, async () => ({ status: 'ok' }));
  r.get(
    '/api/v1/ready',
    { schema: { tags: ['Health'], summary: 'Readiness: the store answers; 503 when it does not.', response: { 200: Status, 503: Status } } },
    async (_req, reply) => {
      try {
        await deps.checkStore();
        return { status: 'ok' };
      } catch (err) {
        return reply.status(503).send({ status: 'unavailable', reason: (err as Error).message });
      }
    },
  );
  r.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.text();
  });
}

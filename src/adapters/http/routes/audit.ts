// The audit log: search, export (CSV or JSON), integrity check, and the on/off setting.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import * as audit from '../../../app/audit-log.js';
import { formatCsv } from '../../../csv.js';
import { AuditConfigSchema, AuditIntegritySchema, AuditRecordSchema } from '../../../shared/api-schemas.js';
import { ctxOf, errors, TenantQuery, type RouteDeps } from '../context.js';

const Search = Type.Intersect([
  TenantQuery,
  Type.Object({
    start: Type.Optional(Type.String({ maxLength: 40, description: 'From (inclusive), ISO date or time.' })),
    end: Type.Optional(Type.String({ maxLength: 40, description: 'To (exclusive).' })),
    operations: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated operations.' })),
    actors: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated user ids.' })),
    targets: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated targets, e.g. Mailbox:a@b.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
  }),
]);
type SearchQuery = { start?: string; end?: string; operations?: string; actors?: string; targets?: string; limit?: number };
const tags = ['Audit log'];

const toSearch = (q: SearchQuery): audit.AuditSearch => ({
  StartDate: q.start,
  EndDate: q.end,
  Operations: q.operations,
  UserIds: q.actors,
  ObjectIds: q.targets,
  ResultSize: q.limit,
});

export async function auditRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/audit',
    {
      schema: {
        tags,
        summary: 'Search the audit log, newest first.',
        querystring: Search,
        response: { 200: Type.Array(AuditRecordSchema), ...errors },
      },
    },
    async (req) => audit.searchAuditLog(ctxOf(deps, req), toSearch(req.query as SearchQuery)),
  );
  r.get(
    '/api/v1/audit/export',
    {
      schema: {
        tags,
        summary: 'Export a search as CSV (default) or JSON, as a download.',
        querystring: Type.Intersect([
          Search,
          Type.Object({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])) }),
        ]),
      },
    },
    async (req, reply) => {
      const q = req.query as SearchQuery & { format?: 'csv' | 'json' };
      const records = await audit.searchAuditLog(ctxOf(deps, req), toSearch(q));
      const csv = (q.format ?? 'csv') === 'csv';
      void reply.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="outgate-audit.${csv ? 'csv' : 'json'}"`);
      return csv ? formatCsv(records as unknown as Record<string, unknown>[]) : JSON.stringify(records, null, 2);
    },
  );
  r.get(
    '/api/v1/audit/integrity',
    {
      schema: {
        tags,
        summary: 'Verify the hash chain and the anchors kept outside it (Test-AuditLogIntegrity).',
        querystring: Type.Intersect([
          TenantQuery,
          Type.Object({
            anchor: Type.Optional(
              Type.String({ maxLength: 8000, description: 'Comma-separated <sequence>:<hash> anchors exported earlier.' }),
            ),
          }),
        ]),
        response: { 200: AuditIntegritySchema, ...errors },
      },
    },
    async (req) => audit.testAuditLogIntegrity(ctxOf(deps, req), { Anchor: req.query.anchor }),
  );
  r.get(
    '/api/v1/audit/settings',
    { schema: { tags, summary: 'Audit logging on or off.', response: { 200: AuditConfigSchema, ...errors } } },
    async (req) => audit.getAuditConfig(ctxOf(deps, req)),
  );
  r.put(
    '/api/v1/audit/settings',
    {
      schema: {
        tags,
        summary: 'Turn audit logging on or off (Global Administrator; the switch is always audited).',
        body: Type.Object({ UnifiedAuditLogIngestionEnabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: AuditConfigSchema, ...errors },
      },
    },
    async (req) => audit.setAuditConfig(ctxOf(deps, req), req.body.UnifiedAuditLogIngestionEnabled),
  );
}

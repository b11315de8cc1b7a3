// Remote cmdlets (our Connect-ExchangeOnline): after `outgate connect`, the CLI sends each cmdlet here
// with its parameters and prints what comes back, so remote and local mode share one implementation,
// one output and one error catalogue. The caller's role and tenant are checked by the use case, as for
// every other route; the audit log records the source as `cli`.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../../../app/directory-change.js';
import { printable } from '../../../domain/address.js';
import { Errors, fail } from '../../../errors.js';
import { ctxOf, errors, type RouteDeps } from '../context.js';

/** The cmdlet table, as the composition root hands it over (the HTTP adapter does not know the CLI). */
export interface RemoteCmdlets {
  /** Canonical name and parameter names of a cmdlet, matched case-insensitively. */
  find(name: string): { name: string; params: readonly string[] } | undefined;
  run(name: string, ctx: AdminContext, params: Record<string, unknown>): Promise<unknown>;
}

const Value = Type.Union([Type.String({ maxLength: 65_536 }), Type.Boolean(), Type.Number(), Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 10_000 })]);

export async function cmdletRoutes(app: FastifyInstance, deps: RouteDeps & { cmdlets: RemoteCmdlets }): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/cmdlets/:name',
    {
      schema: {
        tags: ['Remote CLI'],
        summary: 'Run a cmdlet with its parameters, as `outgate <Cmdlet>` does after `outgate connect`.',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          { params: Type.Record(Type.String({ maxLength: 64 }), Value, { maxProperties: 64 }), tenant: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ cmdlet: Type.String(), result: Type.Unknown() }), ...errors },
      },
    },
    async (req) => {
      const cmdlet = deps.cmdlets.find(req.params.name) ?? fail(Errors.UNKNOWN_COMMAND, `'${printable(req.params.name)}' is not an outgate cmdlet.`);
      const known = new Map(cmdlet.params.map((p) => [p.toLowerCase(), p]));
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(req.body.params)) {
        const name = known.get(k.toLowerCase()) ?? fail(Errors.UNKNOWN_PARAMETER, `${cmdlet.name} has no parameter -${printable(k)}.`);
        params[name] = v;
      }
      const base = ctxOf(deps, req);
      const ctx: AdminContext = { ...base, actor: { ...base.actor, source: 'cli' }, tenant: req.body.tenant };
      return { cmdlet: cmdlet.name, result: (await deps.cmdlets.run(cmdlet.name, ctx, params)) ?? null };
    },
  );
}

// What the portal needs to know at run time and that is not data: where the Unblock user wizard's
// Enable MFA and Reset the user's password links go (config portal.mfaUrl, portal.passwordResetUrl).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { PortalConfigSchema, type PortalConfigAnswer } from '../../../shared/api-schemas.js';
import { errors } from '../context.js';

export interface PortalConfig {
  /** {user} in it becomes the user's address, URL-encoded. */
  mfaUrl: string;
  passwordResetUrl: string;
}

export async function portalConfigRoutes(app: FastifyInstance, deps: { portal: PortalConfig; version: string }): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/portal-config',
    {
      schema: {
        tags: ['Sign-in'],
        summary: "The portal's run-time settings: the Enable MFA and Reset the user's password link targets ({user} = the user's address).",
        response: { 200: PortalConfigSchema, ...errors },
      },
    },
    // Typed, so a field added here but not to the schema (which would not be sent) fails to compile.
    async (): Promise<PortalConfigAnswer> => ({ mfaUrl: deps.portal.mfaUrl, passwordResetUrl: deps.portal.passwordResetUrl, version: deps.version }),
  );
}

// The shapes of the alert policy API the alert pages read: the server's strict response schemas
// (src/shared/api-schemas.ts), imported type-only.
export type { AlertPolicy, AlertPolicyList as PolicyList } from '../../../../src/shared/api-schemas.js';

// The warnings the alert pages show: audit logging off, no SMTP for alert email, recipients that resolve to no one.
import { Link, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { navigate } from '../../router.js';
import { useSession } from '../../session.js';
import type { AlertPolicy } from './types.js';

export function AuditOffBanner() {
  return (
    <MessageBar intent="warning" style={{ marginBottom: 8 }} data-testid="audit-off">
      <MessageBarBody>
        <MessageBarTitle>Audit logging is off</MessageBarTitle>
        For alerts to work, audit logging must be turned on. No alert fires while it is off.{' '}
        <Link
          href="/settings"
          onClick={(e) => {
            e.preventDefault();
            navigate('/settings');
          }}
        >
          Turn it on in Settings
        </Link>
      </MessageBarBody>
    </MessageBar>
  );
}

/** alerts.smtp.host is not set: alert email is kept in the outbox, not sent. */
export function SmtpOffBanner() {
  return (
    <MessageBar intent="warning" style={{ marginBottom: 8 }} data-testid="smtp-off">
      <MessageBarBody>
        <MessageBarTitle>Alert email is not sent</MessageBarTitle>
        No SMTP server is configured for alert email (alerts.smtp.host), so email notifications wait in the outbox until the operator sets
        one. Webhooks still post.
      </MessageBarBody>
    </MessageBar>
  );
}

/** Says when "Email notifications On" reaches no one, or not everyone it names, and why. */
export function RecipientsWarning({ policy }: { policy: AlertPolicy }) {
  const { canAdminister } = useSession();
  if (!policy.NotificationEnabled || policy.UnresolvedRecipients.length === 0) return null;
  const nobody = policy.Recipients.length === 0;
  return (
    <MessageBar intent={nobody ? 'error' : 'warning'} layout="multiline" data-testid="recipients-warning" style={{ marginBottom: 8 }}>
      <MessageBarBody>
        <MessageBarTitle>{nobody ? 'Email notifications go to no one' : 'Some recipients get no email'}</MessageBarTitle>
        {policy.UnresolvedRecipients.map((u) => `${u.Name}: ${u.Reason}`).join(' ')}{' '}
        {canAdminister ? (
          <Link
            href="/settings"
            onClick={(e) => {
              e.preventDefault();
              navigate('/settings');
            }}
          >
            Set account email in Settings
          </Link>
        ) : (
          'A Global Administrator can set account email in Settings.'
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

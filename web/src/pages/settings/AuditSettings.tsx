// Settings → Audit logging: on or off (Global Administrator). Alerts need it: while it is off, none fires.
import { makeStyles, MessageBar, MessageBarBody, Switch, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, errorText } from '../../api.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { useNotify, useSession } from '../../session.js';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
});

export function AuditSettings() {
  const { canAdminister } = useSession();
  const notify = useNotify();
  const [config, setConfig] = useState<{ UnifiedAuditLogIngestionEnabled: boolean; Note?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ UnifiedAuditLogIngestionEnabled: boolean; Note?: string }>('GET', '/api/v1/audit/settings').then(setConfig, (e: unknown) =>
      setError(errorText(e)),
    );
  }, []);
  const s = useStyles();
  if (error) return <ErrorState message={error} />;
  if (!config) return <LoadingState label="Loading…" />;
  const on = config.UnifiedAuditLogIngestionEnabled;
  return (
    <div className={s.section}>
      <Text>Every change is recorded when audit logging is on. Alerts need it: while it is off, no alert can fire.</Text>
      {canAdminister ? (
        <Switch
          label={on ? 'Audit logging is on' : 'Audit logging is off'}
          checked={on}
          disabled={busy}
          onChange={(_e, d) => {
            setBusy(true);
            api<{ UnifiedAuditLogIngestionEnabled: boolean; Note?: string }>('PUT', '/api/v1/audit/settings', {
              UnifiedAuditLogIngestionEnabled: d.checked,
            })
              .then((c) => {
                setConfig(c);
                notify.success(c.UnifiedAuditLogIngestionEnabled ? 'Audit logging turned on' : 'Audit logging turned off', c.Note);
              }, notify.error)
              .finally(() => setBusy(false));
          }}
        />
      ) : (
        <Text weight="semibold">{on ? 'Audit logging is on.' : 'Audit logging is off.'} Only a Global Administrator can change it.</Text>
      )}
      {!on ? (
        <MessageBar intent="warning">
          <MessageBarBody>{config.Note ?? 'Nothing is recorded and alerts cannot fire.'}</MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}

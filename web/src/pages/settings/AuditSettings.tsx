// Settings → Audit logging: on or off (Global Administrator). Alerts need it: while it is off, none fires.
import { makeStyles, MessageBar, MessageBarBody, Switch, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../../api.js';
import { ErrorState, LoadingState } from '../../components/States.js';
import { useLoad } from '../../hooks/use-load.js';
import { useNotify, useSession } from '../../session.js';
import type { AuditConfig } from '../../types.js';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
});

export function AuditSettings() {
  const { canAdminister } = useSession();
  const notify = useNotify();
  const { state, reload } = useLoad((signal) => api<AuditConfig>('GET', '/api/v1/audit/settings', undefined, signal), 'audit-settings');
  // The switch's answer is the newest word on the setting: it replaces what was loaded.
  const [changed, setChanged] = useState<AuditConfig | null>(null);
  const [busy, setBusy] = useState(false);
  const s = useStyles();
  if (state.kind === 'error') return <ErrorState message={state.message} onRetry={() => void reload()} />;
  if (state.kind === 'loading') return <LoadingState label="Loading…" />;
  const config = changed ?? state.data;
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
            api<AuditConfig>('PUT', '/api/v1/audit/settings', {
              UnifiedAuditLogIngestionEnabled: d.checked,
            })
              .then((c) => {
                setChanged(c);
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

// Alert webhooks (Get-/New-/Remove-AlertWebhook): where this tenant's alerts are posted as signed JSON.
// Adding one opens AddWebhookDialog, which shows the signing secret once.
import { Badge, Button } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, formatDate } from '../../api.js';
import { ListEditor, RemoveButton } from '../../components/ListEditor.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import type { AlertWebhook } from '../../types.js';
import { AddWebhookDialog } from './AddWebhookDialog.js';

export function AlertWebhooks() {
  const { canChange } = useSession();
  const { state, refresh, act } = useList<AlertWebhook>('/api/v1/alert-webhooks');
  const [adding, setAdding] = useState(false);
  return (
    <ListEditor<AlertWebhook>
      label="Alert webhooks"
      heading="Alert webhooks"
      intro="Every alert in this tenant is also posted, signed, to each webhook here, whatever its email settings."
      add={
        canChange ? (
          <div>
            <Button icon={<AddRegular />} onClick={() => setAdding(true)}>
              Add webhook
            </Button>
          </div>
        ) : null
      }
      state={state}
      retry={() => void refresh()}
      empty="No alert webhooks"
      rowKey={(w) => w.Identity}
      rowData={(w) => ({ 'data-webhook': w.Name })}
      columns={[
        { header: 'Name', cell: (w) => w.Name, wrap: true },
        { header: 'URL', cell: (w) => w.Url, wrap: true },
        {
          header: 'Status',
          cell: (w) => (
            <Badge appearance="tint" color={w.Enabled ? 'success' : 'subtle'}>
              {w.Enabled ? 'On' : 'Off'}
            </Badge>
          ),
        },
        { header: 'Added', cell: (w) => formatDate(w.WhenCreated) },
      ]}
      actions={
        canChange
          ? (w) => (
              <RemoveButton
                label={`Remove ${w.Name}`}
                onClick={() =>
                  void act('Alert webhook removed', () => api('DELETE', `/api/v1/alert-webhooks/${encodeURIComponent(w.Identity)}`), w.Name)
                }
              />
            )
          : undefined
      }
    >
      {adding ? <AddWebhookDialog onClose={() => setAdding(false)} onAdded={() => void refresh()} /> : null}
    </ListEditor>
  );
}

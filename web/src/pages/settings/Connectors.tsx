// Settings → Inbound connectors: unauthenticated mail from a connector's addresses is counted, limited
// and restricted as that connector. Roles that may change add, switch and remove them.
import { Badge, Field, Input, Switch } from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../../api.js';
import { AddForm, ListEditor, RemoveButton, useFieldStyles } from '../../components/ListEditor.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import type { InboundConnector } from '../../types.js';

export function Connectors() {
  const f = useFieldStyles();
  const { canChange } = useSession();
  const { state, refresh, act } = useList<InboundConnector>('/api/v1/inbound-connectors');
  const [name, setName] = useState('');
  const [ips, setIps] = useState('');
  const add = (): void => {
    const SenderIPAddresses = ips.split(/[\s,;]+/).filter(Boolean);
    void act('Inbound connector added', () => api('POST', '/api/v1/inbound-connectors', { Name: name.trim(), SenderIPAddresses })).then(
      (ok) => ok && (setName(''), setIps('')),
    );
  };
  const path = (c: InboundConnector): string => `/api/v1/inbound-connectors/${encodeURIComponent(c.Id)}`;
  return (
    <ListEditor<InboundConnector>
      label="Inbound connectors"
      intro="Unauthenticated mail from a connector's addresses is counted, limited and restricted as that connector."
      add={
        canChange ? (
          <AddForm submit="Add connector" disabled={!name.trim() || !ips.trim()} onSubmit={add}>
            <Field label="Connector name" className={f.field}>
              <Input value={name} onChange={(_e, d) => setName(d.value)} />
            </Field>
            <Field label="Sender IP addresses" className={f.field} hint="Comma-separated addresses or CIDR ranges">
              <Input value={ips} onChange={(_e, d) => setIps(d.value)} placeholder="192.0.2.0/24" />
            </Field>
          </AddForm>
        ) : null
      }
      state={state}
      retry={() => void refresh()}
      empty="No inbound connectors"
      rowKey={(c) => c.Id}
      columns={[
        { header: 'Name', cell: (c) => c.Name, wrap: true },
        { header: 'Sender IP addresses', cell: (c) => c.SenderIPAddresses.join(', '), wrap: true },
        {
          header: 'Limits (external/h, internal/h, day)',
          cell: (c) => `${c.RecipientLimitExternalPerHour}, ${c.RecipientLimitInternalPerHour}, ${c.RecipientLimitPerDay}`,
        },
        {
          header: 'Status',
          cell: (c) =>
            canChange ? (
              <Switch
                checked={c.Enabled}
                label={c.Enabled ? 'On' : 'Off'}
                aria-label={`${c.Name} on or off`}
                onChange={(_e, d) =>
                  void act(d.checked ? 'Connector turned on' : 'Connector turned off', () => api('PATCH', path(c), { Enabled: d.checked }))
                }
              />
            ) : (
              <Badge appearance="tint" color={c.Enabled ? 'success' : 'subtle'}>
                {c.Enabled ? 'On' : 'Off'}
              </Badge>
            ),
        },
      ]}
      actions={
        canChange
          ? (c) => <RemoveButton label={`Remove ${c.Name}`} onClick={() => void act('Connector removed', () => api('DELETE', path(c)))} />
          : undefined
      }
    />
  );
}

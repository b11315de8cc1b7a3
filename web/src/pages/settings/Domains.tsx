// Settings → Accepted domains: recipients in them are internal, and a login in one belongs to its tenant.
// A domain decides tenancy service-wide, so only the provider adds them; a tenant's admins may remove.
import { Field, Input, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api, formatDate } from '../../api.js';
import { AddForm, ListEditor, RemoveButton, useFieldStyles } from '../../components/ListEditor.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import type { AcceptedDomain } from '../../types.js';

export function Domains() {
  const f = useFieldStyles();
  const { canChange, account } = useSession();
  // A domain decides which tenant a login belongs to, service-wide: only the provider adds them.
  const canAdd = canChange && account.tenantId === null;
  const { state, refresh, act } = useList<AcceptedDomain>('/api/v1/accepted-domains');
  const [domain, setDomain] = useState('');
  const add = (): void =>
    void act('Accepted domain added', () => api('POST', '/api/v1/accepted-domains', { DomainName: domain.trim() })).then(
      (ok) => ok && setDomain(''),
    );
  return (
    <ListEditor<AcceptedDomain>
      label="Accepted domains"
      intro="Recipients in these domains are internal; a login in one of them belongs to this tenant."
      notice={
        canChange && !canAdd ? (
          <Text data-testid="domains-by-provider">
            Your provider assigns accepted domains: ask a provider-level administrator to add one.
          </Text>
        ) : null
      }
      add={
        canAdd ? (
          <AddForm submit="Add domain" disabled={!domain.trim()} onSubmit={add}>
            <Field label="Domain" className={f.field}>
              <Input value={domain} onChange={(_e, d) => setDomain(d.value)} placeholder="contoso.com" />
            </Field>
          </AddForm>
        ) : null
      }
      state={state}
      retry={() => void refresh()}
      empty="No accepted domains"
      rowKey={(d) => d.Id}
      columns={[
        { header: 'Domain', cell: (d) => d.DomainName, wrap: true },
        { header: 'Name', cell: (d) => d.Name, wrap: true },
        { header: 'Added', cell: (d) => formatDate(d.WhenCreatedUTC) },
      ]}
      actions={
        canChange
          ? (d) => (
              <RemoveButton
                label={`Remove ${d.DomainName}`}
                onClick={() =>
                  void act('Accepted domain removed', () => api('DELETE', `/api/v1/accepted-domains/${encodeURIComponent(d.Id)}`))
                }
              />
            )
          : undefined
      }
    />
  );
}

// Settings → Send As (Add-/Get-/Remove-RecipientPermission): which login may send as which mailbox.
// Every role that reads sees the list; only a role that may change is offered Add and Remove (the
// server checks the same; docs/spec.md §3).
import { Field, Input } from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../../api.js';
import { AddForm, ListEditor, RemoveButton, useFieldStyles } from '../../components/ListEditor.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import type { SendAsGrant } from '../../types.js';

const PATH = '/api/v1/recipient-permissions';

export function SendAsGrants() {
  const f = useFieldStyles();
  const { canChange, tenantName } = useSession();
  const { state, refresh, act } = useList<SendAsGrant>(PATH);
  const [identity, setIdentity] = useState('');
  const [trustee, setTrustee] = useState('');
  const body = (Identity: string, Trustee: string) => ({ Identity, Trustee, AccessRights: 'SendAs' });
  const add = (): void =>
    void act('Send As granted', () => api('POST', PATH, body(identity.trim(), trustee.trim()))).then(
      (ok) => ok && (setIdentity(''), setTrustee('')),
    );
  return (
    <ListEditor<SendAsGrant>
      label="Send As grants"
      intro="A login may send as a mailbox only with Send As; then that mailbox's outbound policy applies, and counting stays on the login."
      add={
        canChange ? (
          <AddForm label="Grant Send As" submit="Add Send As" disabled={!identity.trim() || !trustee.trim()} onSubmit={add}>
            <Field label="Mailbox (Identity)" className={f.wide}>
              <Input value={identity} onChange={(_e, d) => setIdentity(d.value)} placeholder="sales@contoso.com" />
            </Field>
            <Field label="May be sent as by (Trustee)" className={f.wide}>
              <Input value={trustee} onChange={(_e, d) => setTrustee(d.value)} placeholder="megan@contoso.com" />
            </Field>
          </AddForm>
        ) : null
      }
      state={state}
      retry={() => void refresh()}
      empty="No Send As grants"
      rowKey={(g) => g.Id}
      columns={[
        { header: 'Mailbox', cell: (g) => g.Identity, wrap: true },
        { header: 'Trustee', cell: (g) => g.Trustee, wrap: true },
        { header: 'Access rights', cell: (g) => g.AccessRights.join(', ') },
        { header: 'Tenant', cell: (g) => tenantName(g.TenantId), wrap: true },
      ]}
      actions={
        canChange
          ? (g) => (
              <RemoveButton
                label={`Remove Send As of ${g.Trustee} on ${g.Identity}`}
                onClick={() => void act('Send As removed', () => api('DELETE', PATH, body(g.Identity, g.Trustee)))}
              />
            )
          : undefined
      }
    />
  );
}

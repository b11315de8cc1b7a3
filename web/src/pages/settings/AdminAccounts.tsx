// Settings → Admin accounts and roles (Global Administrator): who may sign in, with which role, and
// the email their TenantAdmins alerts go to, with a warning when no Global Administrator has one.
import {
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../../api.js';
import { AddForm, ListEditor, RemoveButton, useFieldStyles } from '../../components/ListEditor.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import { ROLES } from '../../../../src/shared/roles.js';
import type { AdminAccount } from '../../types.js';
import { EmailEditor } from './EmailEditor.js';

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
});

export function AdminAccounts() {
  const s = useStyles();
  const f = useFieldStyles();
  const { account, tenantName } = useSession();
  const { state, refresh, act } = useList<AdminAccount>('/api/v1/accounts');
  const [name, setName] = useState('');
  const [role, setRole] = useState('Security Reader');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const add = (): void =>
    void act('Admin account created', () =>
      api('POST', '/api/v1/accounts', {
        Name: name.trim(),
        Role: role,
        ...(password ? { Password: password } : {}),
        ...(email.trim() ? { Email: email.trim() } : {}),
      }),
    ).then((ok) => ok && (setName(''), setPassword(''), setEmail('')));
  const items = state.kind === 'ok' ? state.data : [];
  // TenantAdmins alerts go to the enabled Global Administrators' addresses: none, and they go nowhere.
  const noAdminEmail = state.kind === 'ok' && !items.some((a) => a.Role === 'Global Administrator' && a.Enabled && a.Email);
  const patch = (a: AdminAccount, body: object, done: string) =>
    act(done, () => api('PATCH', `/api/v1/accounts/${encodeURIComponent(a.Name)}`, body));
  const self = (a: AdminAccount): boolean => a.Name === account.name;
  return (
    <ListEditor<AdminAccount>
      label="Admin accounts"
      intro="Who may sign in to the portal and the API, and with which role. Alerts for TenantAdmins go to the Global Administrators' email."
      notice={
        noAdminEmail ? (
          <MessageBar intent="warning" data-testid="no-admin-email">
            <MessageBarBody>
              <MessageBarTitle>Alert email goes nowhere</MessageBarTitle>
              No Global Administrator has an email address, so alerts for TenantAdmins reach no one. Add an address below.
            </MessageBarBody>
          </MessageBar>
        ) : null
      }
      add={
        <AddForm submit="Add account" disabled={!name.trim()} onSubmit={add}>
          <Field label="Account name" className={f.field}>
            <Input value={name} onChange={(_e, d) => setName(d.value)} />
          </Field>
          <Field label="Role" className={f.field}>
            <Dropdown value={role} selectedOptions={[role]} onOptionSelect={(_e, d) => setRole(d.optionValue ?? role)}>
              {ROLES.map((r) => (
                <Option key={r}>{r}</Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Password" className={f.field} hint="At least 12 characters">
            <Input type="password" value={password} onChange={(_e, d) => setPassword(d.value)} autoComplete="new-password" />
          </Field>
          <Field label="Email" className={f.field} hint="Where this account's alert email goes">
            <Input inputMode="email" value={email} onChange={(_e, d) => setEmail(d.value)} />
          </Field>
        </AddForm>
      }
      state={state}
      retry={() => void refresh()}
      empty="No admin accounts"
      rowKey={(a) => a.Id}
      columns={[
        {
          header: 'Name',
          wrap: true,
          cell: (a) => (
            <>
              {a.Name}
              {a.DisplayName && a.DisplayName !== a.Name ? <span className={s.muted}> ({a.DisplayName})</span> : null}
            </>
          ),
        },
        {
          header: 'Role',
          cell: (a) => (
            <Dropdown
              aria-label={`Role of ${a.Name}`}
              size="small"
              value={a.Role}
              selectedOptions={[a.Role]}
              disabled={self(a)}
              onOptionSelect={(_e, d) =>
                d.optionValue && d.optionValue !== a.Role && void patch(a, { Role: d.optionValue }, `${a.Name} is now ${d.optionValue}`)
              }
            >
              {ROLES.map((r) => (
                <Option key={r}>{r}</Option>
              ))}
            </Dropdown>
          ),
        },
        {
          header: 'Email',
          cell: (a) => (
            <EmailEditor
              account={a}
              save={(Email) => patch(a, { Email }, Email ? `Email of ${a.Name} set to ${Email}` : `Email of ${a.Name} removed`)}
            />
          ),
        },
        { header: 'Tenant', cell: (a) => tenantName(a.TenantId) },
        {
          header: 'Status',
          cell: (a) => (
            <Switch
              checked={a.Enabled}
              disabled={self(a)}
              label={a.Enabled ? 'Enabled' : 'Disabled'}
              aria-label={`${a.Name} enabled`}
              onChange={(_e, d) => void patch(a, { Enabled: d.checked }, d.checked ? `${a.Name} enabled` : `${a.Name} disabled`)}
            />
          ),
        },
      ]}
      actions={(a) =>
        self(a) ? (
          <Text size={200}>You</Text>
        ) : (
          <RemoveButton
            label={`Remove ${a.Name}`}
            onClick={() => void act(`${a.Name} removed`, () => api('DELETE', `/api/v1/accounts/${encodeURIComponent(a.Name)}`))}
          />
        )
      }
    />
  );
}

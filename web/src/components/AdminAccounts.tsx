// Settings → Admin accounts and roles (Global Administrator): who may sign in, with which role, and
// the email their TenantAdmins alerts go to, with a warning when no Global Administrator has one.
import {
  Button,
  Dropdown,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { useList } from '../hooks/use-list.js';
import { useSession } from '../session.js';
import { ListState } from './States.js';
import { Scroll } from './Toolbar.js';

const ROLES = [
  'Global Administrator',
  'Organization Management',
  'Security Administrator',
  'Global Reader',
  'Security Reader',
  'View-Only Organization Management',
  'Sending Application',
];

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
  form: { display: 'flex', flexWrap: 'wrap', gap: '12px', alignItems: 'flex-end' },
  field: { minWidth: '180px', '@media (max-width: 760px)': { minWidth: '100%' } },
  table: { minWidth: '640px', tableLayout: 'auto' },
  wrap: { overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  inline: { display: 'flex', gap: '4px', alignItems: 'center', minWidth: '220px' },
});

interface AdminAccount {
  Id: string;
  Name: string;
  DisplayName: string;
  Role: string;
  TenantId: string | null;
  Enabled: boolean;
  Email: string | null;
}

/** An account's email (where its TenantAdmins alerts go): saved on Save or Enter, cleared when emptied. */
function EmailEditor({ account, save }: { account: AdminAccount; save: (email: string | null) => Promise<boolean> }) {
  const s = useStyles();
  const [value, setValue] = useState(account.Email ?? '');
  useEffect(() => setValue(account.Email ?? ''), [account.Email]);
  const dirty = value.trim() !== (account.Email ?? '');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (dirty) void save(value.trim() || null);
  };
  return (
    <form className={s.inline} onSubmit={submit}>
      <Input
        size="small"
        inputMode="email"
        aria-label={`Email of ${account.Name}`}
        placeholder="No address"
        value={value}
        onChange={(_e, d) => setValue(d.value)}
      />
      {dirty ? (
        <Button size="small" type="submit" aria-label={`Save the email of ${account.Name}`}>
          Save
        </Button>
      ) : null}
    </form>
  );
}

export function AdminAccounts() {
  const s = useStyles();
  const { account, tenantName } = useSession();
  const { state, refresh, act } = useList<AdminAccount>('/api/v1/accounts');
  const [name, setName] = useState('');
  const [role, setRole] = useState('Security Reader');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const add = (e: FormEvent): void => {
    e.preventDefault();
    void act('Admin account created', () =>
      api('POST', '/api/v1/accounts', {
        Name: name.trim(),
        Role: role,
        ...(password ? { Password: password } : {}),
        ...(email.trim() ? { Email: email.trim() } : {}),
      }),
    ).then((ok) => ok && (setName(''), setPassword(''), setEmail('')));
  };
  const items = state.kind === 'ok' ? state.data : [];
  // TenantAdmins alerts go to the enabled Global Administrators' addresses: none, and they go nowhere.
  const noAdminEmail = state.kind === 'ok' && !items.some((a) => a.Role === 'Global Administrator' && a.Enabled && a.Email);
  const patch = (a: AdminAccount, body: object, done: string) =>
    act(done, () => api('PATCH', `/api/v1/accounts/${encodeURIComponent(a.Name)}`, body));
  return (
    <div className={s.section}>
      <Text>Who may sign in to the portal and the API, and with which role. Alerts for TenantAdmins go to the Global Administrators' email.</Text>
      {noAdminEmail ? (
        <MessageBar intent="warning" data-testid="no-admin-email">
          <MessageBarBody>
            <MessageBarTitle>Alert email goes nowhere</MessageBarTitle>
            No Global Administrator has an email address, so alerts for TenantAdmins reach no one. Add an address below.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <form className={s.form} onSubmit={add}>
        <Field label="Account name" className={s.field}>
          <Input value={name} onChange={(_e, d) => setName(d.value)} />
        </Field>
        <Field label="Role" className={s.field}>
          <Dropdown value={role} selectedOptions={[role]} onOptionSelect={(_e, d) => setRole(d.optionValue ?? role)}>
            {ROLES.map((r) => (
              <Option key={r}>{r}</Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Password" className={s.field} hint="At least 12 characters">
          <Input type="password" value={password} onChange={(_e, d) => setPassword(d.value)} autoComplete="new-password" />
        </Field>
        <Field label="Email" className={s.field} hint="Where this account's alert email goes">
          <Input inputMode="email" value={email} onChange={(_e, d) => setEmail(d.value)} />
        </Field>
        <Button type="submit" icon={<AddRegular />} disabled={!name.trim()}>
          Add account
        </Button>
      </form>
      <ListState state={state} retry={() => void refresh()} empty="No admin accounts">
        {(items) => (
          <Scroll>
            <Table aria-label="Admin accounts" className={s.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">Name</TableHeaderCell>
                  <TableHeaderCell scope="col">Role</TableHeaderCell>
                  <TableHeaderCell scope="col">Email</TableHeaderCell>
                  <TableHeaderCell scope="col">Tenant</TableHeaderCell>
                  <TableHeaderCell scope="col">Status</TableHeaderCell>
                  <TableHeaderCell scope="col">Actions</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((a) => {
                  const self = a.Name === account.name;
                  return (
                    <TableRow key={a.Id}>
                      <TableCell className={s.wrap}>
                        {a.Name}
                        {a.DisplayName && a.DisplayName !== a.Name ? <span className={s.muted}> ({a.DisplayName})</span> : null}
                      </TableCell>
                      <TableCell>
                        <Dropdown
                          aria-label={`Role of ${a.Name}`}
                          size="small"
                          value={a.Role}
                          selectedOptions={[a.Role]}
                          disabled={self}
                          onOptionSelect={(_e, d) =>
                            d.optionValue &&
                            d.optionValue !== a.Role &&
                            void patch(a, { Role: d.optionValue }, `${a.Name} is now ${d.optionValue}`)
                          }
                        >
                          {ROLES.map((r) => (
                            <Option key={r}>{r}</Option>
                          ))}
                        </Dropdown>
                      </TableCell>
                      <TableCell>
                        <EmailEditor
                          account={a}
                          save={(Email) => patch(a, { Email }, Email ? `Email of ${a.Name} set to ${Email}` : `Email of ${a.Name} removed`)}
                        />
                      </TableCell>
                      <TableCell>{tenantName(a.TenantId)}</TableCell>
                      <TableCell>
                        <Switch
                          checked={a.Enabled}
                          disabled={self}
                          label={a.Enabled ? 'Enabled' : 'Disabled'}
                          aria-label={`${a.Name} enabled`}
                          onChange={(_e, d) =>
                            void patch(a, { Enabled: d.checked }, d.checked ? `${a.Name} enabled` : `${a.Name} disabled`)
                          }
                        />
                      </TableCell>
                      <TableCell>
                        {self ? (
                          <Text size={200}>You</Text>
                        ) : (
                          <Button
                            size="small"
                            icon={<DeleteRegular />}
                            aria-label={`Remove ${a.Name}`}
                            onClick={() =>
                              void act(`${a.Name} removed`, () => api('DELETE', `/api/v1/accounts/${encodeURIComponent(a.Name)}`))
                            }
                          >
                            Remove
                          </Button>
                        )}
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </Scroll>
        )}
      </ListState>
    </div>
  );
}


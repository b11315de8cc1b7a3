// Settings → Send As (Add-/Get-/Remove-RecipientPermission): which login may send as which mailbox.
// Every role that reads sees the list; only a role that may change is offered Add and Remove (the
// server checks the same; docs/spec.md §3).
import {
  Button,
  Field,
  Input,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { useList } from '../hooks/use-list.js';
import { useSession } from '../session.js';
import { ListState } from './States.js';
import { Scroll } from './Toolbar.js';

interface Grant {
  Id: string;
  Identity: string;
  Trustee: string;
  AccessRights: string[];
  TenantId: string;
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
  form: { display: 'flex', flexWrap: 'wrap', gap: '12px', alignItems: 'flex-end' },
  field: { minWidth: '240px', '@media (max-width: 760px)': { minWidth: '100%' } },
  table: { minWidth: '640px', tableLayout: 'auto' },
  wrap: { overflowWrap: 'anywhere' },
});

const PATH = '/api/v1/recipient-permissions';

export function SendAsGrants() {
  const s = useStyles();
  const { canChange, tenantName } = useSession();
  const { state, refresh, act } = useList<Grant>(PATH);
  const [identity, setIdentity] = useState('');
  const [trustee, setTrustee] = useState('');
  const body = (Identity: string, Trustee: string) => ({ Identity, Trustee, AccessRights: 'SendAs' });
  const add = (e: FormEvent): void => {
    e.preventDefault();
    void act('Send As granted', () => api('POST', PATH, body(identity.trim(), trustee.trim()))).then(
      (ok) => ok && (setIdentity(''), setTrustee('')),
    );
  };
  return (
    <div className={s.section}>
      <Text>
        A login may send as a mailbox only with Send As; then that mailbox's outbound policy applies, and counting stays on the login.
      </Text>
      {canChange ? (
        <form className={s.form} onSubmit={add} aria-label="Grant Send As">
          <Field label="Mailbox (Identity)" className={s.field}>
            <Input value={identity} onChange={(_e, d) => setIdentity(d.value)} placeholder="sales@contoso.com" />
          </Field>
          <Field label="May be sent as by (Trustee)" className={s.field}>
            <Input value={trustee} onChange={(_e, d) => setTrustee(d.value)} placeholder="megan@contoso.com" />
          </Field>
          <Button type="submit" icon={<AddRegular />} disabled={!identity.trim() || !trustee.trim()}>
            Add Send As
          </Button>
        </form>
      ) : null}
      <ListState state={state} retry={() => void refresh()} empty="No Send As grants">
        {(items) => (
          <Scroll>
            <Table aria-label="Send As grants" className={s.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">Mailbox</TableHeaderCell>
                  <TableHeaderCell scope="col">Trustee</TableHeaderCell>
                  <TableHeaderCell scope="col">Access rights</TableHeaderCell>
                  <TableHeaderCell scope="col">Tenant</TableHeaderCell>
                  {canChange ? <TableHeaderCell scope="col">Actions</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((g) => (
                  <TableRow key={g.Id}>
                    <TableCell className={s.wrap}>{g.Identity}</TableCell>
                    <TableCell className={s.wrap}>{g.Trustee}</TableCell>
                    <TableCell>{g.AccessRights.join(', ')}</TableCell>
                    <TableCell className={s.wrap}>{tenantName(g.TenantId)}</TableCell>
                    {canChange ? (
                      <TableCell>
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={`Remove Send As of ${g.Trustee} on ${g.Identity}`}
                          onClick={() => void act('Send As removed', () => api('DELETE', PATH, body(g.Identity, g.Trustee)))}
                        >
                          Remove
                        </Button>
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Scroll>
        )}
      </ListState>
    </div>
  );
}

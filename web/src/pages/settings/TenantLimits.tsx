// Settings → Tenant limit (Set-Tenant -ExternalRecipientLimitPerDay): external recipients a whole tenant
// may send in a rolling 24 h. Every role that reads sees it; only a provider-level Global Administrator
// may change it (the limit protects the provider from a compromised tenant, so the server refuses the
// tenant's own admins; docs/tenancy.md). 0 is "Off".
import { Button, Input, makeStyles, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { SaveRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { ListState } from '../../components/States.js';
import { Scroll } from '../../components/Toolbar.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import type { Tenant } from '../../types.js';

const MAX = 10_000_000;

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
  table: { minWidth: '560px', tableLayout: 'auto' },
  wrap: { overflowWrap: 'anywhere' },
  edit: { display: 'flex', gap: '8px', alignItems: 'center' },
  input: { width: '140px' },
});

export const limitLabel = (n: number): string => (n > 0 ? n.toLocaleString('en-US') : 'Off');

function LimitEditor({ tenant, save }: { tenant: Tenant; save: (n: number) => Promise<boolean> }) {
  const s = useStyles();
  const [value, setValue] = useState(String(tenant.ExternalRecipientLimitPerDay));
  const n = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= MAX;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (valid) void save(n);
  };
  return (
    <form className={s.edit} onSubmit={submit} aria-label={`Tenant limit of ${tenant.Name}`}>
      <Input
        className={s.input}
        type="number"
        min={0}
        max={MAX}
        value={value}
        onChange={(_e, d) => setValue(d.value)}
        aria-label={`External recipients per day for ${tenant.Name} (0 = off)`}
      />
      <Button type="submit" size="small" icon={<SaveRegular />} disabled={!valid || n === tenant.ExternalRecipientLimitPerDay}>
        Save
      </Button>
    </form>
  );
}

export function TenantLimits() {
  const s = useStyles();
  const { canAdminister, account, tenant } = useSession();
  const editable = canAdminister && account.tenantId === null;
  const { state, refresh, act } = useList<Tenant>('/api/v1/tenants');
  // A provider admin acting in one tenant sees that tenant's limit; across all tenants, every tenant.
  const shown = state.kind === 'ok' && tenant ? { kind: 'ok' as const, data: state.data.filter((t) => t.Id === tenant) } : state;
  const save = (t: Tenant) => (n: number) =>
    act(n > 0 ? `Tenant limit of ${t.Name} set to ${limitLabel(n)} a day` : `Tenant limit of ${t.Name} turned off`, () =>
      api('PATCH', `/api/v1/tenants/${encodeURIComponent(t.Id)}`, { ExternalRecipientLimitPerDay: n }),
    );
  return (
    <div className={s.section}>
      <Text>
        The most external recipients a whole tenant may send in a rolling 24 hours. Past it, the tenant's external mail is refused until an
        administrator unblocks it. 0 turns the limit off.
      </Text>
      {editable ? null : <Text data-testid="tenant-limit-by-provider">Only a provider-level Global Administrator can change it.</Text>}
      <ListState state={shown} retry={() => void refresh()} empty="No tenants">
        {(items) => (
          <Scroll>
            <Table aria-label="Tenant limits" className={s.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">Tenant</TableHeaderCell>
                  <TableHeaderCell scope="col">External recipients per day</TableHeaderCell>
                  {editable ? <TableHeaderCell scope="col">Change</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((t) => (
                  <TableRow key={t.Id} data-tenant={t.Name}>
                    <TableCell className={s.wrap}>{t.Name}</TableCell>
                    <TableCell data-testid="tenant-limit">{limitLabel(t.ExternalRecipientLimitPerDay)}</TableCell>
                    {editable ? (
                      <TableCell>
                        <LimitEditor key={t.ExternalRecipientLimitPerDay} tenant={t} save={save(t)} />
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

// Settings → Tenant limit (Set-Tenant -ExternalRecipientLimitPerDay): external recipients a whole tenant
// may send in a rolling 24 h. Every role that reads sees it; only a provider-level Global Administrator
// may change it (the limit protects the provider from a compromised tenant, so the server refuses the
// tenant's own admins; docs/tenancy.md). 0 is "Off".
import { Button, Input, makeStyles, Text } from '@fluentui/react-components';
import { SaveRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { ListEditor } from '../../components/ListEditor.js';
import { useList } from '../../hooks/use-list.js';
import { useSession } from '../../session.js';
import type { Tenant } from '../../types.js';
import { TENANT_LIMIT_MAX } from '../../../../src/shared/tenant-limit.js';

const useStyles = makeStyles({
  edit: { display: 'flex', gap: '8px', alignItems: 'center' },
  input: { width: '140px' },
});

export const limitLabel = (n: number): string => (n > 0 ? n.toLocaleString('en-US') : 'Off');

function LimitEditor({ tenant, save }: { tenant: Tenant; save: (n: number) => Promise<boolean> }) {
  const s = useStyles();
  const [value, setValue] = useState(String(tenant.ExternalRecipientLimitPerDay));
  const n = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= TENANT_LIMIT_MAX;
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
        max={TENANT_LIMIT_MAX}
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
    <ListEditor<Tenant>
      label="Tenant limits"
      intro="The most external recipients a whole tenant may send in a rolling 24 hours. Past it, the tenant's external mail is refused until an administrator unblocks it. 0 turns the limit off."
      notice={
        editable ? null : <Text data-testid="tenant-limit-by-provider">Only a provider-level Global Administrator can change it.</Text>
      }
      state={shown}
      retry={() => void refresh()}
      empty="No tenants"
      rowKey={(t) => t.Id}
      rowData={(t) => ({ 'data-tenant': t.Name })}
      columns={[
        { header: 'Tenant', cell: (t) => t.Name, wrap: true },
        {
          header: 'External recipients per day',
          cell: (t) => <span data-testid="tenant-limit">{limitLabel(t.ExternalRecipientLimitPerDay)}</span>,
        },
      ]}
      actionsHeader="Change"
      actions={editable ? (t) => <LimitEditor key={t.ExternalRecipientLimitPerDay} tenant={t} save={save(t)} /> : undefined}
    />
  );
}

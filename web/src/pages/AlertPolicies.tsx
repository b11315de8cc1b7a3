// Alert policy (/alertpolicies): the Threat management policies with search and sort; a row opens the
// policy's flyout (alert-policies/PolicyFlyout.tsx) and its Edit policy wizard; New alert policy opens
// alert-policies/NewAlertPolicy.tsx. Alert webhooks are listed below the policies.
import {
  Badge,
  Button,
  makeStyles,
  SearchBox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, formatDate } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { useSession } from '../session.js';
import { useLoad } from '../hooks/use-load.js';
import { AlertWebhooks } from './alert-policies/AlertWebhooks.js';
import { AuditOffBanner, SmtpOffBanner } from './alert-policies/Banners.js';
import { SEVERITY_COLOR } from './alert-policies/labels.js';
import { NewAlertPolicyWizard } from './alert-policies/NewAlertPolicy.js';
import { PolicyFlyout } from './alert-policies/PolicyFlyout.js';
import type { PolicyList } from './alert-policies/types.js';

const useStyles = makeStyles({
  table: { minWidth: '760px', tableLayout: 'auto' },
  row: { cursor: 'pointer' },
  name: { fontWeight: tokens.fontWeightSemibold, textAlign: 'left' },
});

export function AlertPolicies() {
  const s = useStyles();
  const [search, setSearch] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const { canChange } = useSession();
  const { state: load, reload: refresh } = useLoad(
    (signal) => api<PolicyList>('GET', '/api/v1/alert-policies', undefined, signal),
    'policies',
  );
  const items = load.kind === 'ok' ? load.data.items : [];
  const needle = search.trim().toLowerCase();
  const shown = items.filter((p) => !needle || p.Name.toLowerCase().includes(needle) || p.Description.toLowerCase().includes(needle));
  const order = { High: 0, Medium: 1, Low: 2, Informational: 3 };
  const { sorted, headerProps } = useSort(
    shown,
    {
      name: (p) => p.Name,
      severity: (p) => order[p.Severity],
      type: (p) => (p.IsSystemRule ? 'System' : 'Custom'),
      status: (p) => (p.Disabled ? 'Off' : 'On'),
      modified: (p) => p.WhenChanged,
    },
    { column: 'name', dir: 'ascending' },
  );
  const open = items.find((p) => p.Identity === openId);
  return (
    <>
      <PageHeader title="Alert policy">
        Alerts tell admins when a user or a connector is restricted, goes over a limit, or sends suspiciously. Built-in policies can be
        turned on or off, and their recipients and daily notification limit changed; custom ones can also be added and deleted.
      </PageHeader>
      {load.kind === 'ok' && !load.data.auditEnabled ? <AuditOffBanner /> : null}
      {load.kind === 'ok' && !load.data.smtpConfigured ? <SmtpOffBanner /> : null}
      <Bar>
        {canChange ? (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
            New alert policy
          </Button>
        ) : null}
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Text size={200}>{load.kind === 'ok' ? `${shown.length} ${shown.length === 1 ? 'item' : 'items'}` : ''}</Text>
        <Grow />
        <SearchBox placeholder="Search" aria-label="Search" value={search} onChange={(_e, d) => setSearch(d.value)} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading alert policies…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && shown.length === 0 ? <EmptyState title="Nothing matches" body="No alert policy matches the search." /> : null}
      {load.kind === 'ok' && shown.length > 0 ? (
        <Scroll>
          <Table sortable aria-label="Threat management alert policies" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('name')}>Name</TableHeaderCell>
                <TableHeaderCell {...headerProps('severity')}>Severity</TableHeaderCell>
                <TableHeaderCell {...headerProps('type')}>Type</TableHeaderCell>
                <TableHeaderCell scope="col">Category</TableHeaderCell>
                <TableHeaderCell {...headerProps('status')}>Status</TableHeaderCell>
                <TableHeaderCell {...headerProps('modified')}>Last modified</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((p) => (
                <TableRow key={p.Identity} className={s.row} onClick={() => setOpenId(p.Identity)} data-alert-policy={p.Name}>
                  <TableCell>
                    <Button appearance="transparent" className={s.name} onClick={(e) => (e.stopPropagation(), setOpenId(p.Identity))}>
                      {p.Name}
                    </Button>
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={SEVERITY_COLOR[p.Severity]}>
                      {p.Severity}
                    </Badge>
                  </TableCell>
                  <TableCell>{p.IsSystemRule ? 'System' : 'Custom'}</TableCell>
                  <TableCell>Threat management</TableCell>
                  <TableCell>{p.Disabled ? 'Off' : 'On'}</TableCell>
                  <TableCell>{formatDate(p.WhenChanged)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {load.kind === 'ok' ? <AlertWebhooks /> : null}
      {open ? <PolicyFlyout key={open.Identity} policy={open} onClose={() => setOpenId(null)} onChanged={() => void refresh()} /> : null}
      {creating ? <NewAlertPolicyWizard onClose={() => setCreating(false)} onCreated={() => void refresh()} /> : null}
    </>
  );
}

// Anti-spam policies, outbound (/antispam): the default policy and custom ones in priority order. The
// create wizard (anti-spam/CreateWizard.tsx) and the editing flyout (anti-spam/PolicyFlyout.tsx) live beside it.
import {
  Badge,
  Button,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, formatDate } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, ListSearch, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { useLoad } from '../hooks/use-load.js';
import { useSession } from '../session.js';
import { CreateWizard } from './anti-spam/CreateWizard.js';
import { PolicyFlyout } from './anti-spam/PolicyFlyout.js';
import type { Policy, Rule } from './anti-spam/types.js';

const useStyles = makeStyles({
  table: { minWidth: '760px', tableLayout: 'auto' },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  row: { cursor: 'pointer' },
});

export function AntiSpam() {
  const s = useStyles();
  const { canChange } = useSession();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [openName, setOpenName] = useState<string | null>(null);
  // Policies and rules in one load, so a refresh never pairs new policies with old rules.
  const { state: load, reload: refresh } = useLoad(async (signal) => {
    const [policies, rules] = await Promise.all([
      api<Policy[]>('GET', '/api/v1/outbound-policies', undefined, signal),
      api<Rule[]>('GET', '/api/v1/outbound-rules', undefined, signal),
    ]);
    return { policies, rules };
  }, 'anti-spam');

  const policies = load.kind === 'ok' ? load.data.policies : [];
  const rules = load.kind === 'ok' ? load.data.rules : [];
  const ruleOf = (p: Policy): Rule | undefined =>
    rules.find((r) => r.HostedOutboundSpamFilterPolicy.toLowerCase() === p.Name.toLowerCase() || r.HostedOutboundSpamFilterPolicy === p.Id);
  const needle = search.trim().toLowerCase();
  const shown = policies.filter(
    (p) => !needle || p.Name.toLowerCase().includes(needle) || p.AdminDisplayName.toLowerCase().includes(needle),
  );
  const { sorted, headerProps } = useSort(
    shown,
    {
      name: (p) => p.Name,
      status: (p) => (p.IsDefault ? 'Always on' : (ruleOf(p)?.State ?? 'Off')),
      priority: (p) => (p.IsDefault ? Number.MAX_SAFE_INTEGER : (ruleOf(p)?.Priority ?? Number.MAX_SAFE_INTEGER - 1)),
      action: (p) => p.ActionWhenThresholdReached,
      modified: (p) => p.WhenChangedUTC,
    },
    { column: 'priority', dir: 'ascending' },
  );
  const open = policies.find((p) => p.Name === openName);
  return (
    <>
      <PageHeader title="Anti-spam policies (outbound)">
        The limits on what your senders may send, and what happens when one goes over them. The first enabled custom policy that matches a
        sender wins; the default policy covers everyone else.
      </PageHeader>
      <Bar>
        {canChange ? (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
            Create policy
          </Button>
        ) : null}
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Grow />
        <ListSearch value={search} onChange={setSearch} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading policies…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && shown.length === 0 ? <EmptyState title="Nothing matches" body="No policy matches the search." /> : null}
      {load.kind === 'ok' && shown.length > 0 ? (
        <Scroll>
          <Table sortable aria-label="Outbound anti-spam policies" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('name')}>Name</TableHeaderCell>
                <TableHeaderCell {...headerProps('status')}>Status</TableHeaderCell>
                <TableHeaderCell {...headerProps('priority')}>Priority</TableHeaderCell>
                <TableHeaderCell {...headerProps('action')}>Restriction</TableHeaderCell>
                <TableHeaderCell>Limits (external/h, internal/h, day)</TableHeaderCell>
                <TableHeaderCell {...headerProps('modified')}>Last modified</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((p) => {
                const r = ruleOf(p);
                return (
                  <TableRow key={p.Id} className={s.row} onClick={() => setOpenName(p.Name)} data-policy={p.Name}>
                    <TableCell>
                      <Button appearance="transparent" className={s.name} onClick={(e) => (e.stopPropagation(), setOpenName(p.Name))}>
                        {p.Name}
                      </Button>
                    </TableCell>
                    <TableCell>
                      {p.IsDefault ? (
                        <Badge appearance="tint">Always on</Badge>
                      ) : (
                        <Badge appearance="tint" color={r?.State === 'Enabled' ? 'success' : 'subtle'}>
                          {r?.State === 'Enabled' ? 'On' : 'Off'}
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell>{p.IsDefault ? 'Lowest' : r ? String(r.Priority) : '—'}</TableCell>
                    <TableCell>{p.ActionWhenThresholdReached}</TableCell>
                    <TableCell>
                      {p.RecipientLimitExternalPerHour}, {p.RecipientLimitInternalPerHour}, {p.RecipientLimitPerDay}
                    </TableCell>
                    <TableCell>{formatDate(p.WhenChangedUTC)}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {creating ? <CreateWizard onClose={() => setCreating(false)} onCreated={() => void refresh()} /> : null}
      {open ? (
        <PolicyFlyout
          key={open.Id + open.WhenChangedUTC}
          policy={open}
          rule={ruleOf(open)}
          rules={rules}
          onClose={() => setOpenName(null)}
          onChanged={() => void refresh()}
        />
      ) : null}
    </>
  );
}

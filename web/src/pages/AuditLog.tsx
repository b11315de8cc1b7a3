// Audit log (/auditlog): search by date, operation, user and target; a record opens with its before and
// after; the same search exports as CSV or JSON (GET /api/v1/audit/export).
import {
  Badge,
  Button,
  Dropdown,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  OverlayDrawer,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, Dismiss24Regular, SearchRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api, formatDate, query, withTenant } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { useConnectorNames } from '../connectorNames.js';
import { useLoad } from '../hooks/use-load.js';
import { useSession } from '../session.js';
import type { AuditConfig, AuditRecord } from '../types.js';

const useStyles = makeStyles({
  filters: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))',
    gap: '12px',
    alignItems: 'start',
    marginBottom: '8px',
  },
  field: { minWidth: 0 },
  control: { width: '100%', minWidth: 0, boxSizing: 'border-box' },
  submit: { alignSelf: 'start', justifySelf: 'start', marginTop: '26px' },
  table: { minWidth: '900px', tableLayout: 'auto' },
  row: { cursor: 'pointer' },
  target: { overflowWrap: 'anywhere', maxWidth: '320px', display: 'block' },
  pre: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    backgroundColor: tokens.colorNeutralBackground3,
    padding: '8px',
    borderRadius: tokens.borderRadiusMedium,
  },
  dl: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 16px', margin: '0 0 12px' },
  dd: { margin: 0, overflowWrap: 'anywhere' },
});

interface Filters {
  start: string;
  end: string;
  operations: string;
  actors: string;
  targets: string;
  limit: string;
}

const nextDay = (d: string): string => (d ? new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : '');
const paramsOf = (f: Filters) => ({
  start: f.start,
  end: nextDay(f.end),
  operations: f.operations.trim(),
  actors: f.actors.trim(),
  targets: f.targets.trim(),
  limit: f.limit,
});

function RecordDrawer({ record, onClose }: { record: AuditRecord; onClose: () => void }) {
  const s = useStyles();
  const { tenantName } = useSession();
  const targetLabel = useTargetLabel();
  const rows: Array<[string, string]> = [
    ['Date', formatDate(record.CreationDate)],
    ['User', record.UserId],
    ['Role', record.Role],
    ['Source', record.Source],
    ['Client IP', record.ClientIP ?? '—'],
    ['Tenant', tenantName(record.TenantId)],
    ['Target', targetLabel(record.ObjectId)],
    ['Result', record.ResultStatus],
    ['Sequence', String(record.Sequence)],
  ];
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="audit-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="audit-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {record.Operation}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <dl className={s.dl}>
          {rows.map(([k, v]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{k}</dt>
              <dd className={s.dd}>{v}</dd>
            </div>
          ))}
        </dl>
        <Text weight="semibold">Before</Text>
        <pre className={s.pre}>{JSON.stringify(record.Before, null, 2)}</pre>
        <Text weight="semibold">After</Text>
        <pre className={s.pre}>{JSON.stringify(record.After, null, 2)}</pre>
      </DrawerBody>
    </OverlayDrawer>
  );
}

/** "Connector:<id>" → "Connector:Branch office relay" where the connector is known; other targets as they are. */
function useTargetLabel(): (target: string) => string {
  const connectorName = useConnectorNames();
  return (t) => {
    const id = /^Connector:(.+)$/.exec(t)?.[1];
    return id ? `Connector:${connectorName(id)}` : t;
  };
}

export function AuditLog() {
  const { allTenants, tenantName } = useSession();
  const targetLabel = useTargetLabel();
  const s = useStyles();
  const [form, setForm] = useState<Filters>({ start: '', end: '', operations: '', actors: '', targets: '', limit: '500' });
  const [applied, setApplied] = useState<Filters>(form);
  // Each Search is a new query, even with the same filters (the log grows): the count makes its key.
  const [searches, setSearches] = useState(0);
  const [open, setOpen] = useState<AuditRecord | null>(null);
  const { state: load, reload } = useLoad(
    (signal) => api<AuditRecord[]>('GET', `/api/v1/audit${query(paramsOf(applied))}`, undefined, signal),
    `${JSON.stringify(applied)}#${searches}`,
    { spinOnNewKey: true },
  );
  const settings = useLoad(
    (signal) => api<AuditConfig>('GET', '/api/v1/audit/settings', undefined, signal),
    'audit-settings',
  );
  const auditOn = settings.state.kind === 'ok' ? settings.state.data.UnifiedAuditLogIngestionEnabled : null;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setApplied({ ...form });
    setSearches((n) => n + 1);
  };
  const items = load.kind === 'ok' ? load.data : [];
  const { sorted, headerProps } = useSort(
    items,
    {
      date: (r) => r.Sequence,
      user: (r) => r.UserId,
      operation: (r) => r.Operation,
      target: (r) => r.ObjectId,
      source: (r) => r.Source,
      result: (r) => r.ResultStatus,
    },
    { column: 'date', dir: 'descending' },
  );
  const set = (k: keyof Filters) => (_e: unknown, d: { value: string }) => setForm((f) => ({ ...f, [k]: d.value }));
  const exportHref = (format: 'csv' | 'json'): string => withTenant(`/api/v1/audit/export${query({ ...paramsOf(applied), format })}`);
  return (
    <>
      <PageHeader title="Audit log">
        Every change to Outgate, who made it, from where, and what it was before and after. Records are hash-chained and cannot be edited.
      </PageHeader>
      {auditOn === false ? (
        <MessageBar intent="warning" style={{ marginBottom: 8 }}>
          <MessageBarBody>
            <MessageBarTitle>Audit logging is off</MessageBarTitle>
            Nothing new is recorded and alerts cannot fire. A Global Administrator can turn it on in Settings.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <form className={s.filters} onSubmit={submit} aria-label="Audit log search">
        <Field label="Start date" className={s.field}>
          <Input className={s.control} type="date" value={form.start} onChange={set('start')} />
        </Field>
        <Field label="End date" className={s.field}>
          <Input className={s.control} type="date" value={form.end} onChange={set('end')} />
        </Field>
        <Field label="Operations" className={s.field} hint="Comma-separated">
          <Input className={s.control} value={form.operations} onChange={set('operations')} />
        </Field>
        <Field label="Users" className={s.field}>
          <Input className={s.control} value={form.actors} onChange={set('actors')} />
        </Field>
        <Field label="Targets" className={s.field} hint="e.g. Mailbox:julia@contoso.com">
          <Input className={s.control} value={form.targets} onChange={set('targets')} />
        </Field>
        <Field label="Results" className={s.field}>
          <Dropdown
            className={s.control}
            value={form.limit}
            selectedOptions={[form.limit]}
            onOptionSelect={(_e, d) => setForm((f) => ({ ...f, limit: d.optionValue ?? '500' }))}
          >
            {['100', '500', '5000', '50000'].map((n) => (
              <Option key={n} value={n}>
                {n}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Button type="submit" appearance="primary" icon={<SearchRegular />} className={s.submit}>
          Search
        </Button>
      </form>
      <Bar>
        <Text size={200} aria-live="polite">
          {load.kind === 'ok' ? `${items.length} ${items.length === 1 ? 'record' : 'records'}` : ''}
        </Text>
        <Grow />
        <Button as="a" href={exportHref('csv')} download="outgate-audit.csv" icon={<ArrowDownloadRegular />}>
          Export CSV
        </Button>
        <Button as="a" href={exportHref('json')} download="outgate-audit.json" icon={<ArrowDownloadRegular />}>
          Export JSON
        </Button>
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Searching the audit log…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void reload()} /> : null}
      {load.kind === 'ok' && items.length === 0 ? (
        <EmptyState title="No records" body="No audit record matches the search. Widen the dates or clear the filters." />
      ) : null}
      {load.kind === 'ok' && items.length > 0 ? (
        <Scroll>
          <Table sortable size="small" aria-label="Audit records" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('date')}>Date</TableHeaderCell>
                <TableHeaderCell {...headerProps('user')}>User</TableHeaderCell>
                <TableHeaderCell {...headerProps('operation')}>Operation</TableHeaderCell>
                <TableHeaderCell {...headerProps('target')}>Target</TableHeaderCell>
                <TableHeaderCell {...headerProps('source')}>Source</TableHeaderCell>
                <TableHeaderCell {...headerProps('result')}>Result</TableHeaderCell>
                {allTenants ? <TableHeaderCell scope="col">Tenant</TableHeaderCell> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((r) => (
                <TableRow
                  key={r.Sequence}
                  className={s.row}
                  tabIndex={0}
                  onClick={() => setOpen(r)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setOpen(r);
                    }
                  }}
                  data-operation={r.Operation}
                >
                  <TableCell>{formatDate(r.CreationDate)}</TableCell>
                  <TableCell>{r.UserId}</TableCell>
                  <TableCell>{r.Operation}</TableCell>
                  <TableCell>
                    <span className={s.target} title={r.ObjectId}>
                      {targetLabel(r.ObjectId)}
                    </span>
                  </TableCell>
                  <TableCell>{r.Source}</TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={r.ResultStatus === 'Succeeded' ? 'success' : 'danger'}>
                      {r.ResultStatus}
                    </Badge>
                  </TableCell>
                  {allTenants ? <TableCell>{tenantName(r.TenantId)}</TableCell> : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {open ? <RecordDrawer record={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

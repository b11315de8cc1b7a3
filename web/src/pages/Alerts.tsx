// Alerts (/alerts): what the alert policies raised, filtered by status, severity and entity type; an alert
// opens with its events and notifications, and its status can move New → In progress → Resolved.
import {
  Badge,
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  Dropdown,
  Field,
  makeStyles,
  Option,
  OverlayDrawer,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, Dismiss24Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { api, errorText, formatDate, query } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, ListSearch, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { useConnectorNames } from '../connectorNames.js';
import { useNotify, useSession } from '../session.js';
import { useLoad } from '../hooks/use-load.js';
import { reasonFields, reasonSummary, type Alert, type AlertDetail, type AlertList } from '../types.js';
import { AuditOffBanner } from './alert-policies/Banners.js';
import { SEVERITY_COLOR } from './alert-policies/labels.js';

type Status = Alert['Status'];
const STATUS_TEXT: Record<Status, string> = { New: 'New', InProgress: 'In progress', Resolved: 'Resolved' };
const STATUS_COLOR = { New: 'danger', InProgress: 'warning', Resolved: 'success' } as const;

const useStyles = makeStyles({
  table: { minWidth: '900px', tableLayout: 'auto' },
  row: { cursor: 'pointer' },
  name: { fontWeight: tokens.fontWeightSemibold, textAlign: 'left' },
  filter: { minWidth: '140px' },
  dl: { display: 'grid', gridTemplateColumns: 'minmax(120px, max-content) 1fr', gap: '6px 16px', margin: '8px 0 16px' },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  list: { margin: '4px 0 16px', paddingLeft: '20px', overflowWrap: 'anywhere' },
  entity: { overflowWrap: 'anywhere' },
});

function AlertDrawer({
  identity,
  entityOf,
  onClose,
  onChanged,
}: {
  identity: string;
  entityOf: (a: Pick<Alert, 'EntityType' | 'Entity'>) => string;
  onClose: () => void;
  onChanged: () => void;
}) {
  const s = useStyles();
  const notify = useNotify();
  const { canChange } = useSession();
  const [alert, setAlert] = useState<AlertDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<AlertDetail>('GET', `/api/v1/alerts/${encodeURIComponent(identity)}`).then(setAlert, (e: unknown) => setError(errorText(e)));
  }, [identity]);
  const setStatus = async (Status: Status): Promise<void> => {
    setBusy(true);
    try {
      setAlert(await api<AlertDetail>('PATCH', `/api/v1/alerts/${encodeURIComponent(identity)}`, { Status }));
      notify.success('Alert status changed', `Now ${STATUS_TEXT[Status].toLowerCase()}.`);
      onChanged();
    } catch (err) {
      notify.error(err, 'The status was not changed');
    } finally {
      setBusy(false);
    }
  };
  const dl = (rows: Array<[string, string]>) => (
    <dl className={s.dl}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt className={s.dt}>{k}</dt>
          <dd className={s.dd}>{v}</dd>
        </div>
      ))}
    </dl>
  );
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="alert-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="alert-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {alert?.PolicyName ?? 'Alert'}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        {error ? <ErrorState message={error} /> : null}
        {!alert && !error ? <LoadingState label="Loading the alert…" /> : null}
        {alert ? (
          <>
            {canChange ? (
              <Field label="Status">
                <Dropdown
                  value={STATUS_TEXT[alert.Status]}
                  selectedOptions={[alert.Status]}
                  disabled={busy}
                  onOptionSelect={(_e, d) => d.optionValue && d.optionValue !== alert.Status && void setStatus(d.optionValue as Status)}
                >
                  {(Object.keys(STATUS_TEXT) as Status[]).map((st) => (
                    <Option key={st} value={st}>
                      {STATUS_TEXT[st]}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            ) : null}
            {dl([
              // Shown once: as the Status control for those who may change it, else as a value.
              ...(canChange ? [] : [['Status', STATUS_TEXT[alert.Status]] as [string, string]]),
              ['Severity', alert.Severity],
              ['Entity', entityOf(alert)],
              ['Entity type', alert.EntityType],
              ['First activity', formatDate(alert.FirstEventAt)],
              ['Last activity', formatDate(alert.LastEventAt)],
              ['Events', String(alert.EventCount)],
              ['Reason', reasonSummary(alert.Reason)],
              ...reasonFields(alert.Reason),
            ])}
            <Subtitle2 as="h3">Events</Subtitle2>
            <ul className={s.list}>
              {(alert.Events ?? []).map((e, i) => (
                <li key={i}>
                  {formatDate(e.At)}: {e.Operation} ({reasonSummary(e.Reason)})
                </li>
              ))}
            </ul>
            <Subtitle2 as="h3">Notifications</Subtitle2>
            {alert.Notifications && alert.Notifications.length > 0 ? (
              <ul className={s.list}>
                {alert.Notifications.map((n, i) => (
                  <li key={i}>
                    {n.Channel} to {n.Recipient}: {n.Status}
                    {n.Attempts > 1 ? ` after ${n.Attempts} attempts` : ''}
                    {n.LastError ? ` (${n.LastError})` : ''}
                  </li>
                ))}
              </ul>
            ) : (
              <Text block>No notification was sent for this alert.</Text>
            )}
          </>
        ) : null}
      </DrawerBody>
      <DrawerFooter>
        <Button onClick={onClose}>Close</Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}

/** Connector alerts carry the connector's id; admins know it by name. */
function useEntityNames(): (a: Pick<Alert, 'EntityType' | 'Entity'>) => string {
  const connectorName = useConnectorNames();
  return (a) => (a.EntityType === 'Connector' ? connectorName(a.Entity) : a.Entity);
}

export function Alerts() {
  const s = useStyles();
  const { allTenants, tenantName } = useSession();
  const entityOf = useEntityNames();
  const [status, setStatus] = useState('');
  const [severity, setSeverity] = useState('');
  const [entityType, setEntityType] = useState('');
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  // A newer filter or search cancels the one in flight: an older answer never overwrites it.
  const path = `/api/v1/alerts${query({ status, severity, entityType, search: debounced, pageSize: 200 })}`;
  const { state: load, reload: refresh } = useLoad(
    (signal) => api<AlertList>('GET', path, undefined, signal),
    path,
  );
  const items = load.kind === 'ok' ? load.data.items : [];
  const order = { High: 0, Medium: 1, Low: 2, Informational: 3 };
  const { sorted, headerProps } = useSort(
    items,
    {
      name: (a) => a.PolicyName,
      severity: (a) => order[a.Severity],
      status: (a) => a.Status,
      entity: (a) => a.Entity,
      events: (a) => a.EventCount,
      first: (a) => a.FirstEventAt,
      last: (a) => a.LastEventAt,
    },
    { column: 'last', dir: 'descending' },
  );
  const filter = (label: string, value: string, set: (v: string) => void, options: Array<[string, string]>) => (
    <Dropdown
      className={s.filter}
      aria-label={label}
      value={options.find(([v]) => v === value)?.[1] ?? ''}
      selectedOptions={[value]}
      onOptionSelect={(_e, d) => set(d.optionValue ?? '')}
    >
      {options.map(([v, t]) => (
        <Option key={v} value={v}>
          {t}
        </Option>
      ))}
    </Dropdown>
  );
  return (
    <>
      <PageHeader title="Alerts">
        What the alert policies raised. Repeated events within a policy's aggregation window join the same alert.
      </PageHeader>
      {load.kind === 'ok' && !load.data.auditEnabled ? <AuditOffBanner /> : null}
      <Bar>
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Text size={200}>{load.kind === 'ok' ? `${load.data.total} ${load.data.total === 1 ? 'alert' : 'alerts'}` : ''}</Text>
        <Grow />
        {filter('Status', status, setStatus, [
          ['', 'Any status'],
          ['New', 'New'],
          ['InProgress', 'In progress'],
          ['Resolved', 'Resolved'],
        ])}
        {filter('Severity', severity, setSeverity, [
          ['', 'Any severity'],
          ['High', 'High'],
          ['Medium', 'Medium'],
          ['Low', 'Low'],
          ['Informational', 'Informational'],
        ])}
        {filter('Entity type', entityType, setEntityType, [
          ['', 'All entity types'],
          ['Mailbox', 'Mailbox'],
          ['Connector', 'Connector'],
        ])}
        <ListSearch value={search} onChange={setSearch} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading alerts…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && items.length === 0 ? (
        <EmptyState
          title="No alerts"
          body={status || severity || entityType || debounced ? 'No alert matches the filters.' : 'Nothing has raised an alert.'}
        />
      ) : null}
      {load.kind === 'ok' && items.length > 0 ? (
        <Scroll>
          <Table sortable aria-label="Alerts" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('name')}>Alert name</TableHeaderCell>
                <TableHeaderCell {...headerProps('severity')}>Severity</TableHeaderCell>
                <TableHeaderCell {...headerProps('status')}>Status</TableHeaderCell>
                <TableHeaderCell {...headerProps('entity')}>Entity</TableHeaderCell>
                <TableHeaderCell {...headerProps('events')}>Events</TableHeaderCell>
                <TableHeaderCell {...headerProps('first')}>First activity</TableHeaderCell>
                <TableHeaderCell {...headerProps('last')}>Last activity</TableHeaderCell>
                {allTenants ? <TableHeaderCell scope="col">Tenant</TableHeaderCell> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((a) => (
                <TableRow key={a.Identity} className={s.row} onClick={() => setOpenId(a.Identity)} data-alert={entityOf(a)}>
                  <TableCell>
                    <Button appearance="transparent" className={s.name} onClick={(e) => (e.stopPropagation(), setOpenId(a.Identity))}>
                      {a.PolicyName}
                    </Button>
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={SEVERITY_COLOR[a.Severity]}>
                      {a.Severity}
                    </Badge>
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={STATUS_COLOR[a.Status]}>
                      {STATUS_TEXT[a.Status]}
                    </Badge>
                  </TableCell>
                  <TableCell>
                    <span className={s.entity}>
                      {entityOf(a)} ({a.EntityType})
                    </span>
                  </TableCell>
                  <TableCell>{a.EventCount}</TableCell>
                  <TableCell>{formatDate(a.FirstEventAt)}</TableCell>
                  <TableCell>{formatDate(a.LastEventAt)}</TableCell>
                  {allTenants ? <TableCell>{tenantName(a.TenantId)}</TableCell> : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {openId ? (
        <AlertDrawer identity={openId} entityOf={entityOf} onClose={() => setOpenId(null)} onChanged={() => void refresh()} />
      ) : null}
    </>
  );
}

// Restricted entities (/restrictedentities): users, connectors and tenants restricted from sending, with sort,
// search, filters, spacing, a check box per row, and Unblock when a row is selected. Paging, sorting and
// search happen on the server, so the list holds any number of entities; the total is shown. An entity's name
// opens its details for every role; Unblock stays with the roles that may change.
import {
  Badge,
  Button,
  Dropdown,
  Link,
  makeStyles,
  Option,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TableSelectionCell,
  Text,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwiseRegular,
  ChevronLeftRegular,
  ChevronRightRegular,
  LockOpenRegular,
  ShieldCheckmarkRegular,
} from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { EntityDetailsDrawer } from '../components/EntityDetails.js';
import { api, formatDate, query } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, ListSearch, PageHeader, Scroll, SpacingMenu, type SortDir, type Spacing } from '../components/Toolbar.js';
import { UnblockEntityDrawer } from '../components/unblock/UnblockEntityDrawer.js';
import { UnblockUserDrawer } from '../components/unblock/UnblockUserDrawer.js';
import { useSession } from '../session.js';
import { useLoad } from '../hooks/use-load.js';
import { entityId, entityName, mayUnblock, policyLabel, reasonSummary, type RestrictedEntity, type RestrictedEntityList } from '../types.js';

const useStyles = makeStyles({
  date: { whiteSpace: 'nowrap' },
  reason: { display: 'block', maxWidth: '200px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  entity: { overflowWrap: 'break-word', fontWeight: tokens.fontWeightSemibold },
  filter: { minWidth: '150px' },
  wrap: { overflowWrap: 'break-word' },
  table: { minWidth: '900px', tableLayout: 'auto' },
  pager: { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: '8px', marginTop: '8px' },
});

const keyOf = (e: RestrictedEntity): string => `${e.Entity}:${entityId(e)}`;

const PAGE_SIZE = 100;
/** The columns the server sorts by (GET /api/v1/restricted-entities?sort=), by header. */
const SORTS = {
  entity: 'Entity',
  type: 'EntityType',
  reason: 'Reason',
  restricted: 'CreatedDatetime',
  expires: 'ExpiresDatetime',
  status: 'Status',
  policy: 'Policy',
} as const;
type SortColumn = keyof typeof SORTS;

export function RestrictedEntities() {
  const s = useStyles();
  const session = useSession();
  const { canChange, allTenants, tenantName } = session;
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [entityType, setEntityType] = useState('');
  const [status, setStatus] = useState('Restricted');
  const [spacing, setSpacing] = useState<Spacing>('medium');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<{ column: SortColumn; dir: SortDir }>({ column: 'restricted', dir: 'descending' });
  const [open, setOpen] = useState<RestrictedEntity | null>(null);
  const [details, setDetails] = useState<RestrictedEntity | null>(null);
  // Where focus goes back when a flyout closes: the control that opened it, else the page heading.
  const opener = useRef<HTMLElement | null>(null);
  const [closed, setClosed] = useState(0);
  useEffect(() => {
    if (closed === 0) return;
    const back = opener.current?.isConnected ? opener.current : document.querySelector<HTMLElement>('main h1');
    back?.focus();
  }, [closed]);
  const openFrom = (el: HTMLElement | null, e: RestrictedEntity, as: 'details' | 'unblock'): void => {
    opener.current = el;
    if (as === 'details') setDetails(e);
    else setOpen(e);
  };
  const close = (): void => {
    setOpen(null);
    setDetails(null);
    setClosed((n) => n + 1);
  };
  const unblocked = (): void => {
    close();
    setSelected(new Set());
    void refresh();
  };

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);

  // The server filters, sorts and pages; useLoad cancels an older search or page answering late.
  const path = `/api/v1/restricted-entities${query({
    search: debounced,
    entityType,
    status,
    sort: SORTS[sort.column],
    order: sort.dir === 'ascending' ? 'asc' : 'desc',
    page,
    pageSize: PAGE_SIZE,
  })}`;
  const { state: load, reload: refresh } = useLoad(
    (signal) => api<RestrictedEntityList>('GET', path, undefined, signal),
    path,
  );
  useEffect(() => {
    if (load.kind === 'ok') setSelected((sel) => new Set([...sel].filter((k) => load.data.items.some((e) => keyOf(e) === k))));
  }, [load]);
  // A new search, filter or order starts again at the first page.
  useEffect(() => setPage(1), [debounced, entityType, status, sort]);

  const items = load.kind === 'ok' ? load.data.items : [];
  const sorted = items;
  const headerProps = (column: SortColumn) => ({
    scope: 'col',
    sortDirection: sort.column === column ? sort.dir : undefined,
    'aria-sort': sort.column === column ? sort.dir : ('none' as const),
    onClick: () => setSort((x) => ({ column, dir: x.column === column && x.dir === 'ascending' ? 'descending' : 'ascending' })),
  });
  const total = load.kind === 'ok' ? load.data.total : 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const from = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const to = Math.min(total, page * PAGE_SIZE);
  const chosen = items.filter((e) => selected.has(keyOf(e)));
  const one = chosen.length === 1 ? chosen[0] : undefined;
  const allSelected = items.length > 0 && chosen.length === items.length;

  const toggle = (e: RestrictedEntity): void =>
    setSelected((sel) => {
      const next = new Set(sel);
      if (next.has(keyOf(e))) next.delete(keyOf(e));
      else next.add(keyOf(e));
      return next;
    });

  const filtered = debounced !== '' || entityType !== '' || status !== '';
  return (
    <>
      <PageHeader title="Restricted entities">
        Users, connectors and tenants restricted from sending email because they went over their outbound limits, which usually means they
        were compromised. They can still receive email.
      </PageHeader>
      <Bar>
        {one && mayUnblock(one, session) ? (
          <Button appearance="primary" icon={<LockOpenRegular />} onClick={(ev) => openFrom(ev.currentTarget, one, 'unblock')}>
            Unblock
          </Button>
        ) : null}
        {canChange && chosen.length > 1 ? <Text size={200}>Select one entity to unblock it.</Text> : null}
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Text size={200} aria-live="polite" data-testid="entity-count">
          {load.kind === 'ok'
            ? total > items.length
              ? `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} items`
              : `${total.toLocaleString('en-US')} ${total === 1 ? 'item' : 'items'}`
            : ''}
        </Text>
        <Grow />
        <Dropdown
          className={s.filter}
          aria-label="Entity type"
          value={entityType ? entityType : 'All entity types'}
          selectedOptions={[entityType]}
          onOptionSelect={(_e, d) => setEntityType(d.optionValue ?? '')}
        >
          <Option value="">All entity types</Option>
          <Option value="Mailbox">Mailbox</Option>
          <Option value="Connector">Connector</Option>
          <Option value="Tenant">Tenant</Option>
        </Dropdown>
        <Dropdown
          className={s.filter}
          aria-label="Status"
          value={status ? status : 'Any status'}
          selectedOptions={[status]}
          onOptionSelect={(_e, d) => setStatus(d.optionValue ?? '')}
        >
          <Option value="">Any status</Option>
          <Option value="Restricted">Restricted</Option>
          <Option value="Released">Released</Option>
        </Dropdown>
        <SpacingMenu spacing={spacing} onChange={setSpacing} />
        <ListSearch value={search} onChange={setSearch} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading restricted entities…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && items.length === 0 ? (
        filtered && !(status === 'Restricted' && !debounced && !entityType) ? (
          <EmptyState
            title="Nothing matches"
            body="No restricted entity matches the search and filters. Clear them to see the whole list."
          />
        ) : (
          <EmptyState
            icon={<ShieldCheckmarkRegular />}
            title="No restricted entities"
            body="No user or connector is restricted from sending email right now."
          />
        )
      ) : null}
      {load.kind === 'ok' && items.length > 0 ? (
        <Scroll>
          <Table
            sortable
            size={spacing}
            aria-label="Restricted entities"
            className={s.table}
            data-spacing={spacing === 'extra-small' ? 'compact' : 'normal'}
          >
            <TableHeader>
              <TableRow>
                <TableSelectionCell
                  type="checkbox"
                  checked={allSelected ? true : chosen.length > 0 ? 'mixed' : false}
                  onClick={() => setSelected(allSelected ? new Set() : new Set(items.map(keyOf)))}
                  checkboxIndicator={{ 'aria-label': 'Select all' }}
                />
                <TableHeaderCell {...headerProps('entity')}>Entity</TableHeaderCell>
                <TableHeaderCell {...headerProps('type')}>Entity type</TableHeaderCell>
                <TableHeaderCell {...headerProps('reason')}>Reason</TableHeaderCell>
                <TableHeaderCell {...headerProps('restricted')}>Date restricted</TableHeaderCell>
                <TableHeaderCell {...headerProps('expires')}>Expires</TableHeaderCell>
                <TableHeaderCell {...headerProps('status')}>Status</TableHeaderCell>
                <TableHeaderCell {...headerProps('policy')}>Policy</TableHeaderCell>
                {allTenants ? <TableHeaderCell scope="col">Tenant</TableHeaderCell> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((e) => {
                const isSel = selected.has(keyOf(e));
                return (
                  <TableRow
                    key={keyOf(e)}
                    aria-selected={isSel}
                    appearance={isSel ? 'brand' : 'none'}
                    onClick={() => toggle(e)}
                    data-entity={entityName(e)}
                  >
                    <TableSelectionCell
                      checked={isSel}
                      onClick={(ev) => {
                        ev.stopPropagation();
                        toggle(e);
                      }}
                      checkboxIndicator={{ 'aria-label': `Select ${entityName(e)}` }}
                    />
                    <TableCell>
                      <TableCellLayout>
                        <Link
                          as="button"
                          className={s.entity}
                          onClick={(ev) => {
                            ev.stopPropagation();
                            openFrom(ev.currentTarget, e, 'details');
                          }}
                        >
                          {entityName(e)}
                        </Link>
                      </TableCellLayout>
                    </TableCell>
                    <TableCell>{e.Entity}</TableCell>
                    <TableCell>
                      <span className={s.reason} title={e.Reason}>
                        {reasonSummary(e.Reason)}
                      </span>
                    </TableCell>
                    <TableCell className={s.date}>{formatDate(e.CreatedDatetime)}</TableCell>
                    <TableCell className={s.date}>{e.ExpiresDatetime ? formatDate(e.ExpiresDatetime) : 'Never'}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={e.Status === 'Restricted' ? 'danger' : 'success'}>
                        {e.Status}
                      </Badge>
                    </TableCell>
                    <TableCell>
                      <span className={s.wrap}>{policyLabel(e.Policy)}</span>
                    </TableCell>
                    {allTenants ? <TableCell>{tenantName(e.TenantId)}</TableCell> : null}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {load.kind === 'ok' && pages > 1 ? (
        <nav className={s.pager} aria-label="Pages">
          <Button appearance="subtle" icon={<ChevronLeftRegular />} disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            Previous
          </Button>
          <Text>
            Page {page.toLocaleString('en-US')} of {pages.toLocaleString('en-US')}
          </Text>
          <Button
            appearance="subtle"
            icon={<ChevronRightRegular />}
            iconPosition="after"
            disabled={page >= pages}
            onClick={() => setPage((p) => p + 1)}
          >
            Next
          </Button>
        </nav>
      ) : null}
      {details ? (
        <EntityDetailsDrawer
          entity={details}
          onClose={close}
          onUnblock={() => {
            setDetails(null);
            setOpen(details);
          }}
        />
      ) : null}
      {open && open.Entity === 'Mailbox' ? <UnblockUserDrawer entity={open} onClose={close} onDone={unblocked} /> : null}
      {open && open.Entity !== 'Mailbox' ? <UnblockEntityDrawer entity={open} onClose={close} onDone={unblocked} /> : null}
    </>
  );
}

// Restricted entities (/restrictedentities): users and connectors restricted from sending, with sort,
// search, filters, spacing, a check box per row, and Unblock when a row is selected.
import {
  Badge,
  Button,
  Dropdown,
  makeStyles,
  Option,
  SearchBox,
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
import { ArrowClockwiseRegular, LockOpenRegular, ShieldCheckmarkRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, formatDate, query } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, PageHeader, Scroll, SpacingMenu, useSort, type Spacing } from '../components/Toolbar.js';
import { UnblockEntityDrawer, UnblockUserDrawer } from '../components/Unblock.js';
import { useSession } from '../session.js';
import { entityId, entityName, reasonSummary, type RestrictedEntity } from '../types.js';

const useStyles = makeStyles({
  reason: { display: 'block', maxWidth: '340px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  entity: { overflowWrap: 'break-word', fontWeight: tokens.fontWeightSemibold },
  filter: { minWidth: '150px' },
  wrap: { overflowWrap: 'break-word' },
  search: { minWidth: '220px', '@media (max-width: 760px)': { minWidth: '100%' } },
  table: { minWidth: '900px', tableLayout: 'auto' },
});

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; items: RestrictedEntity[]; total: number };

const keyOf = (e: RestrictedEntity): string => `${e.Entity}:${entityId(e)}`;

export function RestrictedEntities() {
  const s = useStyles();
  const { canChange } = useSession();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [entityType, setEntityType] = useState('');
  const [status, setStatus] = useState('Restricted');
  const [spacing, setSpacing] = useState<Spacing>('medium');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<RestrictedEntity | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);

  const refresh = useCallback(async () => {
    setLoad((l) => (l.kind === 'ok' ? l : { kind: 'loading' }));
    try {
      const r = await api<{ total: number; items: RestrictedEntity[] }>(
        'GET',
        `/api/v1/restricted-entities${query({ search: debounced, entityType, status, pageSize: 500 })}`,
      );
      setLoad({ kind: 'ok', items: r.items, total: r.total });
      setSelected((sel) => new Set([...sel].filter((k) => r.items.some((e) => keyOf(e) === k))));
    } catch (err) {
      setLoad({ kind: 'error', message: errorText(err) });
    }
  }, [debounced, entityType, status]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const items = load.kind === 'ok' ? load.items : [];
  const { sorted, headerProps } = useSort(
    items,
    {
      entity: entityName,
      type: (e) => e.Entity,
      reason: (e) => reasonSummary(e.Reason),
      restricted: (e) => e.CreatedDatetime,
      expires: (e) => e.ExpiresDatetime,
      status: (e) => e.Status,
      policy: (e) => e.Policy,
    },
    { column: 'restricted', dir: 'descending' },
  );
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
        Users and connectors restricted from sending email because they went over their outbound limits, which usually means they were
        compromised. They can still receive email.
      </PageHeader>
      <Bar>
        {canChange && one && one.Status === 'Restricted' ? (
          <Button appearance="primary" icon={<LockOpenRegular />} onClick={() => setOpen(one)}>
            Unblock
          </Button>
        ) : null}
        {canChange && chosen.length > 1 ? <Text size={200}>Select one entity to unblock it.</Text> : null}
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Text size={200} aria-live="polite">
          {load.kind === 'ok'
            ? load.total > load.items.length
              ? `Showing ${load.items.length} of ${load.total}: search or filter to narrow the list`
              : `${load.total} ${load.total === 1 ? 'item' : 'items'}`
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
        <SearchBox className={s.search} placeholder="Search" aria-label="Search" value={search} onChange={(_e, d) => setSearch(d.value)} />
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
                        <span className={s.entity}>{entityName(e)}</span>
                      </TableCellLayout>
                    </TableCell>
                    <TableCell>{e.Entity}</TableCell>
                    <TableCell>
                      <span className={s.reason} title={e.Reason}>
                        {reasonSummary(e.Reason)}
                      </span>
                    </TableCell>
                    <TableCell>{formatDate(e.CreatedDatetime)}</TableCell>
                    <TableCell>{e.ExpiresDatetime ? formatDate(e.ExpiresDatetime) : 'Never'}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={e.Status === 'Restricted' ? 'danger' : 'success'}>
                        {e.Status}
                      </Badge>
                    </TableCell>
                    <TableCell>
                      <span className={s.wrap}>{e.Policy ?? '—'}</span>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {open && open.Entity === 'Mailbox' ? (
        <UnblockUserDrawer
          entity={open}
          onClose={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            setSelected(new Set());
            void refresh();
          }}
        />
      ) : null}
      {open && open.Entity === 'Connector' ? (
        <UnblockEntityDrawer
          entity={open}
          onClose={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            setSelected(new Set());
            void refresh();
          }}
        />
      ) : null}
    </>
  );
}

// Sending activity (/sendingactivity): the senders closest to their limits, live, with the share of each
// limit used; a sender opens its recipients per hour over 7 days against its limits.
import {
  Badge,
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  makeStyles,
  OverlayDrawer,
  ProgressBar,
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
import { ArrowClockwiseRegular, Dismiss24Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { api, formatDate, query } from '../api.js';
import { SendingChart } from '../components/SendingChart.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, ListSearch, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { useSession } from '../session.js';
import { policyLabel, type SenderActivity, type SenderActivityDetail, type SendingActivityList } from '../types.js';
import { useLoad } from '../hooks/use-load.js';

const useStyles = makeStyles({
  table: { minWidth: '860px', tableLayout: 'auto' },
  share: { display: 'flex', flexDirection: 'column', gap: '2px', minWidth: '120px' },
  name: { fontWeight: tokens.fontWeightSemibold, textAlign: 'left', whiteSpace: 'nowrap' },
  row: { cursor: 'pointer' },
});

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function Share({ used, limit, share }: { used: number; limit: number; share: number }) {
  const s = useStyles();
  return (
    <div className={s.share}>
      <Text size={200}>
        {used} of {limit} ({pct(share)})
      </Text>
      <ProgressBar
        value={Math.min(1, share)}
        color={share >= 1 ? 'error' : share >= 0.8 ? 'warning' : 'brand'}
        thickness="medium"
        aria-label={`${pct(share)} of the limit used`}
      />
    </div>
  );
}

const REFRESH_MS = 5000;

function SenderDrawer({ sender, onClose }: { sender: SenderActivity; onClose: () => void }) {
  const path = `/api/v1/sending-activity/${sender.EntityType}/${encodeURIComponent(sender.ConnectorId ?? sender.Entity)}`;
  const { state } = useLoad((signal) => api<SenderActivityDetail>('GET', path, undefined, signal), path, { spinOnNewKey: true });
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="sender-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="sender-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {sender.Entity}
        </DrawerHeaderTitle>
        <Text>
          {sender.EntityType}, policy {policyLabel(sender.Policy)}
        </Text>
      </DrawerHeader>
      <DrawerBody>
        {state.kind === 'error' ? <ErrorState message={state.message} /> : null}
        {state.kind === 'loading' ? <LoadingState label="Loading the last 7 days…" /> : null}
        {state.kind === 'ok' ? (
          <SendingChart
            hours={state.data.ByHour}
            limits={{
              externalPerHour: state.data.LimitExternalPerHour,
              internalPerHour: state.data.LimitInternalPerHour,
              perDay: state.data.LimitPerDay,
            }}
          />
        ) : null}
      </DrawerBody>
    </OverlayDrawer>
  );
}

/**
 * The last column: Restricted, or the closest share. A sender past a limit but not restricted got there
 * under laxer limits (a policy change): limits are checked when a message is sent, so its next one is.
 */
function Standing({ x }: { x: SenderActivity }) {
  if (x.Restricted)
    return (
      <Badge color="danger" appearance="tint">
        Restricted
      </Badge>
    );
  if (x.Share < 1)
    return (
      <Badge color={x.Share >= 0.8 ? 'warning' : 'informative'} appearance="tint">
        {pct(x.Share)}
      </Badge>
    );
  const alertOnly = x.Action === 'Alert';
  return (
    <div data-testid="over-limit">
      <Badge color="warning" appearance="filled">
        {pct(x.Share)}
      </Badge>
      <Text size={200} block>
        {alertOnly ? 'Over the limit; its policy only alerts.' : 'Over the limit: restricted at its next message.'}
      </Text>
    </div>
  );
}

export function SendingActivity() {
  const s = useStyles();
  const { allTenants, tenantName } = useSession();
  const [live, setLive] = useState(true);
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<SenderActivity | null>(null);
  // A newer search (or tick) cancels the one in flight: an older answer never overwrites it.
  const path = `/api/v1/sending-activity${query({ limit: 100, search: search.trim() })}`;
  const { state: load, reload: refresh } = useLoad(
    (signal) => api<SendingActivityList>('GET', path, undefined, signal),
    path,
  );

  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(t);
  }, [refresh, live]);

  const items = load.kind === 'ok' ? load.data.Items : [];
  const { sorted, headerProps } = useSort(
    items,
    {
      entity: (x) => x.Entity,
      type: (x) => x.EntityType,
      policy: (x) => x.Policy,
      ext: (x) => x.ShareExternal,
      int: (x) => x.ShareInternal,
      day: (x) => x.ShareDay,
      share: (x) => x.Share,
    },
    { column: 'share', dir: 'descending' },
  );
  return (
    <>
      <PageHeader title="Sending activity">
        The senders closest to their limits right now, and the share of each limit they have used. A sender is restricted (or alerted
        on, as its policy says) by the message that takes it past a limit: one over a limit lowered since its last message is restricted
        at its next one.
      </PageHeader>
      <Bar>
        <Switch label="Live" checked={live} onChange={(_e, d) => setLive(d.checked)} />
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Text size={200} aria-live="off">
          {load.kind === 'ok'
            ? `Updated ${formatDate(load.data.At)} · ${load.data.Total} ${load.data.Total === 1 ? 'sender' : 'senders'}${live ? ' · refreshes every 5 seconds' : ''}`
            : ''}
        </Text>
        <Grow />
        <ListSearch value={search} onChange={setSearch} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading sending activity…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && items.length === 0 ? (
        <EmptyState
          title="No sending activity"
          body={search ? 'No sender matches the search.' : 'No sender has sent mail in the last 24 hours.'}
        />
      ) : null}
      {load.kind === 'ok' && items.length > 0 ? (
        <Scroll>
          <Table sortable aria-label="Sending activity" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('entity')}>Sender</TableHeaderCell>
                <TableHeaderCell {...headerProps('type')}>Type</TableHeaderCell>
                <TableHeaderCell {...headerProps('policy')}>Policy</TableHeaderCell>
                <TableHeaderCell {...headerProps('ext')}>External, last hour</TableHeaderCell>
                <TableHeaderCell {...headerProps('int')}>Internal, last hour</TableHeaderCell>
                <TableHeaderCell {...headerProps('day')}>Last 24 hours</TableHeaderCell>
                <TableHeaderCell {...headerProps('share')}>Closest limit</TableHeaderCell>
                {allTenants ? <TableHeaderCell scope="col">Tenant</TableHeaderCell> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((x) => (
                <TableRow
                  key={`${x.EntityType}:${x.ConnectorId ?? x.Entity}`}
                  className={s.row}
                  onClick={() => setOpen(x)}
                  data-sender={x.Entity}
                >
                  <TableCell>
                    <Button appearance="transparent" className={s.name} onClick={(e) => (e.stopPropagation(), setOpen(x))}>
                      {x.Entity}
                    </Button>
                  </TableCell>
                  <TableCell>{x.EntityType}</TableCell>
                  <TableCell>{policyLabel(x.Policy)}</TableCell>
                  <TableCell>
                    <Share used={x.ExternalLastHour} limit={x.LimitExternalPerHour} share={x.ShareExternal} />
                  </TableCell>
                  <TableCell>
                    <Share used={x.InternalLastHour} limit={x.LimitInternalPerHour} share={x.ShareInternal} />
                  </TableCell>
                  <TableCell>
                    <Share used={x.Last24Hours} limit={x.LimitPerDay} share={x.ShareDay} />
                  </TableCell>
                  <TableCell>
                    <Standing x={x} />
                  </TableCell>
                  {allTenants ? <TableCell>{tenantName(x.TenantId)}</TableCell> : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {open ? <SenderDrawer sender={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

// What an admin reads about one restricted entity, whatever their role: details, recipients per hour,
// the restriction's history (who unblocked and why) and the Recommendations. The Unblock flyouts show
// the same sections; the details flyout opens from the entity's name on Restricted entities.
import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  makeStyles,
  OverlayDrawer,
  Subtitle2,
  Text,
  tokens,
} from '@fluentui/react-components';
import { Dismiss24Regular, LockOpenRegular } from '@fluentui/react-icons';
import { useState, type ReactNode } from 'react';
import { api, formatDate } from '../api.js';
import { useLoad } from '../hooks/use-load.js';
import { useSession } from '../session.js';
import { entityId, entityName, mayUnblock, policyLabel, reasonFields, reasonSummary, type RestrictedEntity, type RestrictedEntityDetails, type SenderActivity } from '../types.js';
import { SendingChart } from './SendingChart.js';
import { ErrorState, LoadingState } from './States.js';

const useStyles = makeStyles({
  section: { marginBottom: '20px' },
  details: { display: 'grid', gridTemplateColumns: 'minmax(110px, max-content) 1fr', gap: '6px 16px', margin: '8px 0' },
  term: { color: tokens.colorNeutralForeground3 },
  value: { overflowWrap: 'anywhere', margin: 0 },
  list: { margin: '8px 0', paddingLeft: '20px', display: 'flex', flexDirection: 'column', gap: '6px' },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  footer: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
});

export function Details({ rows }: { rows: Array<[string, ReactNode]> }) {
  const s = useStyles();
  return (
    <dl className={s.details}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt className={s.term}>{k}</dt>
          <dd className={s.value}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The entity's details and its sending (the chart; none when that answer fails), loaded as one. A
 * retry is a new key, so it shows the spinner at once; a changed row (ChangedDatetime) reloads.
 */
function useEntityDetails(entity: RestrictedEntity) {
  const [attempt, setAttempt] = useState(0);
  const path = `${entity.Entity}/${encodeURIComponent(entityId(entity))}`;
  const { state } = useLoad(
    async (signal) => {
      const [detail, activity] = await Promise.all([
        api<RestrictedEntityDetails>('GET', `/api/v1/restricted-entities/${path}`, undefined, signal),
        api<SenderActivity>('GET', `/api/v1/sending-activity/${path}`, undefined, signal).catch(() => null),
      ]);
      return { detail, activity };
    },
    `${path}|${entity.ChangedDatetime}|${attempt}`,
    { spinOnNewKey: true },
  );
  return { state, retry: () => setAttempt((n) => n + 1) };
}

export function Overview({ entity, detail, activity }: { entity: RestrictedEntity; detail: RestrictedEntity; activity: SenderActivity | null }) {
  const s = useStyles();
  const fields = reasonFields(detail.Reason);
  const type = fields.find(([k]) => k === 'ExceedingLimitType')?.[1];
  return (
    <>
      <section className={s.section} aria-labelledby="ub-details">
        <Subtitle2 as="h3" id="ub-details">
          Details
        </Subtitle2>
        <Details
          rows={[
            [entity.Entity === 'Mailbox' ? 'User' : entity.Entity, entityName(detail)],
            ['Entity', detail.Entity],
            ['Status', detail.Status],
            ['Reason', reasonSummary(detail.Reason)],
            ['Date restricted', formatDate(detail.CreatedDatetime)],
            ['Expires', detail.ExpiresDatetime ? formatDate(detail.ExpiresDatetime) : 'Never (an admin must unblock)'],
            ['Policy', policyLabel(detail.Policy)],
            ['Action', detail.Action ?? '—'],
            ...(type ? [['Limit exceeded', type] as [string, ReactNode]] : []),
          ]}
        />
      </section>
      {activity?.ByHour ? (
        <section className={s.section} aria-labelledby="ub-chart">
          <Subtitle2 as="h3" id="ub-chart">
            Recipients per hour
          </Subtitle2>
          <SendingChart
            hours={activity.ByHour}
            limits={{
              externalPerHour: activity.LimitExternalPerHour,
              internalPerHour: activity.LimitInternalPerHour,
              perDay: activity.LimitPerDay,
            }}
          />
        </section>
      ) : null}
      <section className={s.section} aria-labelledby="ub-reason">
        <Subtitle2 as="h3" id="ub-reason">
          What the restriction recorded
        </Subtitle2>
        <Details
          rows={[
            ...fields.filter(([k]) => k !== 'Policy' && k !== 'ExceedingLimitType').map(([k, v]) => [k, v] as [string, ReactNode]),
            ['Reason', <span className={s.code}>{detail.Reason}</span>],
          ]}
        />
      </section>
      {detail.History && detail.History.length > 0 ? (
        <section className={s.section} aria-labelledby="ub-history">
          <Subtitle2 as="h3" id="ub-history">
            History
          </Subtitle2>
          <ul className={s.list}>
            {detail.History.map((h, i) => (
              <li key={i}>
                {formatDate(h.At)}: {h.Event} by {h.Actor}
                {h.Reason && h.Event !== 'Restricted' ? `, note: ${h.Reason}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export function UserRecommendations() {
  const s = useStyles();
  return (
    <section className={s.section} aria-labelledby="ub-recs">
      <Subtitle2 as="h3" id="ub-recs">
        Recommendations
      </Subtitle2>
      <Text block>
        A sender over its outbound limits is usually a compromised account. Before you unblock it, confirm the account isn't compromised, or
        regain control of it:
      </Text>
      <ol className={s.list}>
        <li>
          Disable the account, or reset its password (strong, not sent by email, not one of the last five) and update its app passwords.
        </li>
        <li>Enable and enforce multi-factor authentication (MFA).</li>
        <li>Revoke the user's sign-in sessions, and review the MFA devices registered to the account.</li>
        <li>Review the applications the user consented to and the admin roles assigned to the user.</li>
        <li>Review mail forwarding: forwarding addresses on the mailbox and Inbox rules that forward, redirect or delete mail.</li>
        <li>Check what the account sent (message trace) and the sign-ins it made.</li>
      </ol>
    </section>
  );
}

export function ConnectorRecommendations() {
  const s = useStyles();
  return (
    <section className={s.section} aria-labelledby="ue-recs">
      <Subtitle2 as="h3" id="ue-recs">
        Recommendations
      </Subtitle2>
      <ol className={s.list}>
        <li>Find what the connector relayed: its source addresses and the messages filtered as spam.</li>
        <li>Check the audit log for New-, Set- and Remove-InboundConnector and revert changes you did not make.</li>
        <li>Investigate the admin account that changed the connector, and secure it.</li>
      </ol>
    </section>
  );
}

/** The sections both Unblock flyouts and the details flyout show, with loading and error states. */
export function EntityOverview({ entity }: { entity: RestrictedEntity }) {
  const { state, retry } = useEntityDetails(entity);
  return (
    <>
      {state.kind === 'error' ? (
        <ErrorState message={state.message} onRetry={retry} />
      ) : state.kind === 'ok' ? (
        <Overview entity={entity} detail={state.data.detail} activity={state.data.activity} />
      ) : (
        <LoadingState label="Loading the details…" />
      )}
      {entity.Entity === 'Mailbox' ? <UserRecommendations /> : <ConnectorRecommendations />}
    </>
  );
}

/**
 * One entity's details for every role that may read them; Unblock is offered only to roles that may
 * change (and only while the entity is restricted), and hands over to the Unblock flyout.
 */
export function EntityDetailsDrawer({ entity, onClose, onUnblock }: { entity: RestrictedEntity; onClose: () => void; onUnblock: () => void }) {
  const s = useStyles();
  const session = useSession();
  const canUnblock = mayUnblock(entity, session);
  const name = entityName(entity);
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="details-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="details-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {name}
        </DrawerHeaderTitle>
        <Text>{entity.Entity === 'Mailbox' ? 'User' : 'Inbound connector'} · {entity.Status}</Text>
      </DrawerHeader>
      <DrawerBody>
        <EntityOverview entity={entity} />
      </DrawerBody>
      <DrawerFooter className={s.footer}>
        {canUnblock ? (
          <Button appearance="primary" icon={<LockOpenRegular />} onClick={onUnblock}>
            Unblock
          </Button>
        ) : null}
        <Button appearance={canUnblock ? 'secondary' : 'primary'} onClick={onClose}>
          Close
        </Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}

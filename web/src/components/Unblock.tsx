// The Unblock user flyout (Overview → Next → Unblock user → Submit → warning dialog → Yes) and the
// one-page Unblock entity flyout for connectors, as the Defender portal has them (docs/spec.md §1, §7).
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  Link,
  makeStyles,
  mergeClasses,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Spinner,
  Subtitle2,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircleFilled, CircleRegular, Dismiss24Regular, OpenRegular } from '@fluentui/react-icons';
import { useEffect, useState, type ReactNode } from 'react';
import { api, errorText, formatDate, linkFor } from '../api.js';
import { useNotify, useSession } from '../session.js';
import { entityId, entityName, reasonFields, reasonSummary, type RestrictedEntity, type SenderActivity } from '../types.js';
import { SendingChart } from './SendingChart.js';
import { ErrorState, LoadingState } from './States.js';

const useStyles = makeStyles({
  steps: { display: 'flex', gap: '16px', margin: '0 0 16px', padding: 0, listStyle: 'none', flexWrap: 'wrap' },
  step: { display: 'flex', alignItems: 'center', gap: '4px', color: tokens.colorNeutralForeground3 },
  stepActive: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
  section: { marginBottom: '20px' },
  details: { display: 'grid', gridTemplateColumns: 'minmax(110px, max-content) 1fr', gap: '6px 16px', margin: '8px 0' },
  term: { color: tokens.colorNeutralForeground3 },
  value: { overflowWrap: 'anywhere', margin: 0 },
  list: { margin: '8px 0', paddingLeft: '20px', display: 'flex', flexDirection: 'column', gap: '6px' },
  linkRow: { display: 'inline-flex', alignItems: 'center', gap: '4px', marginTop: '4px' },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  footer: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
});

function Details({ rows }: { rows: Array<[string, ReactNode]> }) {
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

function useEntityDetails(entity: RestrictedEntity) {
  const [detail, setDetail] = useState<RestrictedEntity | null>(null);
  const [activity, setActivity] = useState<SenderActivity | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    const id = encodeURIComponent(entityId(entity));
    setError(null);
    Promise.all([
      api<RestrictedEntity>('GET', `/api/v1/restricted-entities/${entity.Entity}/${id}`),
      api<SenderActivity>('GET', `/api/v1/sending-activity/${entity.Entity}/${id}`).catch(() => null),
    ]).then(
      ([d, a]) => {
        if (!live) return;
        setDetail(d);
        setActivity(a);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [entity, attempt]);
  return { detail, activity, error, retry: () => setAttempt((n) => n + 1) };
}

function Overview({ entity, detail, activity }: { entity: RestrictedEntity; detail: RestrictedEntity; activity: SenderActivity | null }) {
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
            [entity.Entity === 'Mailbox' ? 'User' : 'Connector', entityName(detail)],
            ['Entity', detail.Entity],
            ['Status', detail.Status],
            ['Reason', reasonSummary(detail.Reason)],
            ['Date restricted', formatDate(detail.CreatedDatetime)],
            ['Expires', detail.ExpiresDatetime ? formatDate(detail.ExpiresDatetime) : 'Never (an admin must unblock)'],
            ['Policy', detail.Policy ?? '—'],
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
      {detail.History && detail.History.length > 1 ? (
        <section className={s.section} aria-labelledby="ub-history">
          <Subtitle2 as="h3" id="ub-history">
            History
          </Subtitle2>
          <ul className={s.list}>
            {detail.History.map((h, i) => (
              <li key={i}>
                {formatDate(h.At)}: {h.Event} by {h.Actor}
                {h.Reason && h.Event !== 'Restricted' ? ` (${h.Reason})` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function UserRecommendations() {
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

function Steps({ names, current }: { names: string[]; current: number }) {
  const s = useStyles();
  return (
    <ol className={s.steps} aria-label="Steps">
      {names.map((n, i) => (
        <li key={n} className={mergeClasses(s.step, i === current && s.stepActive)} aria-current={i === current ? 'step' : undefined}>
          {i < current ? <CheckmarkCircleFilled color={tokens.colorPaletteGreenForeground1} /> : <CircleRegular />}
          {n}
        </li>
      ))}
    </ol>
  );
}

/**
 * The unblock call both flyouts make: busy while it runs, the API's sentence when it fails.
 * `settled` runs first on either outcome (the user flyout closes its warning dialog there).
 */
function useUnblock(
  type: 'Mailbox' | 'Connector',
  identity: string,
  text: { title: string; body: string; failed: string },
  onDone: () => void,
  settled?: () => void,
) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (body: { reason?: string }): Promise<void> => {
    setBusy(true);
    setFailure(null);
    try {
      await api('POST', `/api/v1/restricted-entities/${type}/${encodeURIComponent(identity)}/unblock`, body);
      settled?.();
      notify.success(text.title, text.body);
      onDone();
    } catch (err) {
      settled?.();
      setFailure(errorText(err));
      notify.error(err, text.failed);
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, run };
}

export function UnblockUserDrawer({ entity, onClose, onDone }: { entity: RestrictedEntity; onClose: () => void; onDone: () => void }) {
  const s = useStyles();
  const { config } = useSession();
  const { detail, activity, error, retry } = useEntityDetails(entity);
  const [step, setStep] = useState(0);
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const user = entityName(entity);
  const { busy, failure, run } = useUnblock(
    'Mailbox',
    user,
    { title: 'User unblocked', body: `${user} can send email again.`, failed: 'The user was not unblocked' },
    onDone,
    () => setConfirming(false),
  );
  const unblock = (): Promise<void> => run(note.trim() ? { reason: note.trim() } : {});

  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="unblock-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="unblock-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          Unblock user
        </DrawerHeaderTitle>
        <Text className={s.code}>{user}</Text>
      </DrawerHeader>
      <DrawerBody>
        <Steps names={['Overview', 'Unblock user']} current={step} />
        {failure ? (
          <MessageBar intent="error" role="alert" style={{ marginBottom: 12 }}>
            <MessageBarBody>{failure}</MessageBarBody>
          </MessageBar>
        ) : null}
        {step === 0 ? (
          <>
            <Text block style={{ marginBottom: 12 }}>
              Read the details about the restricted account, and go through the suggestions in the Recommendations section to confirm that
              the account isn't compromised or to regain control of it.
            </Text>
            {error ? (
              <ErrorState message={error} onRetry={retry} />
            ) : detail ? (
              <Overview entity={entity} detail={detail} activity={activity} />
            ) : (
              <LoadingState label="Loading the details…" />
            )}
            <UserRecommendations />
          </>
        ) : (
          <>
            <Text block style={{ marginBottom: 16 }}>
              Consider the recommendations and use these links to enable MFA and reset the user's password if you haven't done these steps
              already. Enabling MFA and resetting the password are a good defense against future account compromise.
            </Text>
            <section className={s.section} aria-labelledby="ub-mfa">
              <Subtitle2 as="h3" id="ub-mfa">
                Multi-factor authentication
              </Subtitle2>
              <Text block>Require a second factor at sign-in, so a stolen password alone can't send mail again.</Text>
              <Link className={s.linkRow} href={linkFor(config.mfaUrl, user)} target="_blank" rel="noopener noreferrer">
                Enable MFA <OpenRegular aria-hidden />
              </Link>
            </section>
            <section className={s.section} aria-labelledby="ub-pw">
              <Subtitle2 as="h3" id="ub-pw">
                Change password
              </Subtitle2>
              <Text block>Reset the password so whoever used the account loses access.</Text>
              <Link className={s.linkRow} href={linkFor(config.passwordResetUrl, user)} target="_blank" rel="noopener noreferrer">
                Reset the user's password <OpenRegular aria-hidden />
              </Link>
            </section>
            <Field label="Note for the audit log (optional)" hint="For example: password reset, MFA enabled, forwarding rule removed.">
              <Textarea value={note} onChange={(_e, d) => setNote(d.value)} maxLength={1024} resize="vertical" />
            </Field>
          </>
        )}
      </DrawerBody>
      <DrawerFooter className={s.footer}>
        {step === 0 ? (
          <Button appearance="primary" onClick={() => setStep(1)}>
            Next
          </Button>
        ) : (
          <>
            <Button onClick={() => setStep(0)}>Back</Button>
            <Button appearance="primary" onClick={() => setConfirming(true)}>
              Submit
            </Button>
          </>
        )}
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
      </DrawerFooter>
      <Dialog open={confirming} modalType="alert" onOpenChange={(_e, d) => !busy && setConfirming(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Remove the sending restriction?</DialogTitle>
            <DialogContent>
              You're about to remove the sending restriction for <strong>{user}</strong>. If you verified that the account is secured,
              select Yes to confirm. The user can send email again at once.
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => void unblock()} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
                Yes
              </Button>
              <Button onClick={() => setConfirming(false)} disabled={busy}>
                No
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </OverlayDrawer>
  );
}

export function UnblockEntityDrawer({ entity, onClose, onDone }: { entity: RestrictedEntity; onClose: () => void; onDone: () => void }) {
  const s = useStyles();
  const { detail, activity, error, retry } = useEntityDetails(entity);
  const name = entityName(entity);
  const { busy, failure, run } = useUnblock(
    'Connector',
    entityId(entity),
    { title: 'Connector unblocked', body: `${name} can relay email again.`, failed: 'The connector was not unblocked' },
    onDone,
  );
  const unblock = (): Promise<void> => run({});

  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="unblock-entity-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="unblock-entity-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          Unblock entity
        </DrawerHeaderTitle>
        <Text className={s.code}>{name}</Text>
      </DrawerHeader>
      <DrawerBody>
        {failure ? (
          <MessageBar intent="error" role="alert" style={{ marginBottom: 12 }}>
            <MessageBarBody>{failure}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Text block style={{ marginBottom: 12 }}>
          Read the details about the restricted connector and go through the recommendations before you unblock it.
        </Text>
        {error ? (
          <ErrorState message={error} onRetry={retry} />
        ) : detail ? (
          <Overview entity={entity} detail={detail} activity={activity} />
        ) : (
          <LoadingState label="Loading the details…" />
        )}
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
      </DrawerBody>
      <DrawerFooter className={s.footer}>
        <Button appearance="primary" onClick={() => void unblock()} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
          Unblock
        </Button>
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
      </DrawerFooter>
    </OverlayDrawer>
  );
}

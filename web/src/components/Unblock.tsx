// The Unblock user flyout (Overview → Next → Unblock user → Submit → warning dialog → Yes) and the
// one-page Unblock entity flyout for connectors (Unblock → warning dialog → Yes), both with an optional
// note for the audit log, as the Defender portal has them (docs/spec.md §1, §7).
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
  typographyStyles,
} from '@fluentui/react-components';
import { CheckmarkCircleFilled, CircleFilled, CircleRegular, Dismiss24Regular, OpenRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, errorText, linkFor } from '../api.js';
import { useNotify, useSession } from '../session.js';
import { entityId, entityName, type EntityType, type RestrictedEntity } from '../types.js';
import { EntityOverview } from './EntityDetails.js';

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
  stepHeading: { ...typographyStyles.subtitle2, margin: '0 0 8px' },
});

function Steps({ names, current }: { names: string[]; current: number }) {
  const s = useStyles();
  return (
    <ol className={s.steps} aria-label="Steps">
      {names.map((n, i) => (
        <li key={n} className={mergeClasses(s.step, i === current && s.stepActive)} aria-current={i === current ? 'step' : undefined}>
          {i < current ? (
            <CheckmarkCircleFilled color={tokens.colorPaletteGreenForeground1} />
          ) : i === current ? (
            <CircleFilled color={tokens.colorBrandForeground1} />
          ) : (
            <CircleRegular />
          )}
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
  type: EntityType,
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

/** The warning both flyouts ask before unblocking; No or Esc hands focus back to the button that asked. */
function ConfirmUnblock({
  open,
  busy,
  title,
  children,
  onYes,
  onNo,
}: {
  open: boolean;
  busy: boolean;
  title: string;
  children: ReactNode;
  onYes: () => void;
  onNo: () => void;
}) {
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_e, d) => !busy && !d.open && onNo()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onYes} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
              Yes
            </Button>
            <Button onClick={onNo} disabled={busy}>
              No
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** The optional note both flyouts record with the unblock (shown in the entity's history and the audit log). */
function UnblockNote({ value, onChange, hint }: { value: string; onChange: (v: string) => void; hint: string }) {
  return (
    <Field label="Note for the audit log (optional)" hint={hint}>
      <Textarea value={value} onChange={(_e, d) => onChange(d.value)} maxLength={1024} resize="vertical" />
    </Field>
  );
}

/** Focus that follows the flow: the step heading after Next/Back, the asking button after No/Esc. */
function useFocusAfter<T extends HTMLElement>(trigger: unknown, when = true) {
  const ref = useRef<T>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (when) ref.current?.focus();
  }, [trigger]);
  return ref;
}

export function UnblockUserDrawer({ entity, onClose, onDone }: { entity: RestrictedEntity; onClose: () => void; onDone: () => void }) {
  const s = useStyles();
  const { config } = useSession();
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
  const heading = useFocusAfter<HTMLHeadingElement>(step);
  const submit = useFocusAfter<HTMLButtonElement>(confirming, !confirming);

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
        <h2 ref={heading} tabIndex={-1} className={s.stepHeading}>
          {step === 0 ? 'Overview' : 'Unblock user'}
        </h2>
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
            <EntityOverview entity={entity} />
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
            <UnblockNote value={note} onChange={setNote} hint="For example: password reset, MFA enabled, forwarding rule removed." />
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
            <Button appearance="primary" ref={submit} onClick={() => setConfirming(true)}>
              Submit
            </Button>
          </>
        )}
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
      </DrawerFooter>
      <ConfirmUnblock open={confirming} busy={busy} title="Remove the sending restriction?" onYes={() => void unblock()} onNo={() => setConfirming(false)}>
        You're about to remove the sending restriction for <strong>{user}</strong>. If you verified that the account is secured, select Yes
        to confirm. The user can send email again at once.
      </ConfirmUnblock>
    </OverlayDrawer>
  );
}

/** The words of the one-step unblock, per entity type (a connector, or a whole tenant). */
const ENTITY_TEXT = {
  Connector: {
    what: 'inbound connector',
    done: 'Connector unblocked',
    again: 'can relay email again.',
    failed: 'The connector was not unblocked',
    intro: 'Read the details about the restricted connector and go through the recommendations before you unblock it.',
    hint: 'For example: relay host patched, connector source addresses checked.',
    ask: 'Unblock the connector?',
    confirm: 'If you verified that the relay is secured, select Yes to confirm. It can relay email again at once.',
  },
  Tenant: {
    what: 'tenant',
    done: 'Tenant unblocked',
    again: 'can send email to external recipients again; its count restarts.',
    failed: 'The tenant was not unblocked',
    intro: "Read the details about the restricted tenant: it went over its external recipient limit, which usually means some of its accounts are compromised. Find and secure them (see each user's restriction) before you unblock the tenant.",
    hint: 'For example: compromised accounts found and reset, tenant admin contacted.',
    ask: 'Unblock the tenant?',
    confirm: 'If you verified that its accounts are secured, select Yes to confirm. All its users can send to external recipients again at once.',
  },
} as const;

export function UnblockEntityDrawer({ entity, onClose, onDone }: { entity: RestrictedEntity; onClose: () => void; onDone: () => void }) {
  const s = useStyles();
  const name = entityName(entity);
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const t = ENTITY_TEXT[entity.Entity === 'Tenant' ? 'Tenant' : 'Connector'];
  const { busy, failure, run } = useUnblock(
    entity.Entity,
    entityId(entity),
    { title: t.done, body: `${name} ${t.again}`, failed: t.failed },
    onDone,
    () => setConfirming(false),
  );
  const unblock = (): Promise<void> => run(note.trim() ? { reason: note.trim() } : {});
  const ask = useFocusAfter<HTMLButtonElement>(confirming, !confirming);

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
          {t.intro}
        </Text>
        <EntityOverview entity={entity} />
        <UnblockNote value={note} onChange={setNote} hint={t.hint} />
      </DrawerBody>
      <DrawerFooter className={s.footer}>
        <Button appearance="primary" ref={ask} onClick={() => setConfirming(true)}>
          Unblock
        </Button>
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
      </DrawerFooter>
      <ConfirmUnblock open={confirming} busy={busy} title={t.ask} onYes={() => void unblock()} onNo={() => setConfirming(false)}>
        You're about to unblock the {t.what} <strong>{name}</strong>. {t.confirm}
      </ConfirmUnblock>
    </OverlayDrawer>
  );
}

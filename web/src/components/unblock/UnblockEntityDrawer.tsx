// The one-page Unblock entity flyout for a connector or a whole tenant: Unblock → warning dialog → Yes,
// with an optional note for the audit log.
import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Text,
} from '@fluentui/react-components';
import { Dismiss24Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { entityId, entityName, type RestrictedEntity } from '../../types.js';
import { EntityOverview } from '../EntityDetails.js';
import { ConfirmUnblock, UnblockNote } from './ConfirmUnblock.js';
import { useStyles } from './styles.js';
import { useFocusAfter, useUnblock } from './use-unblock.js';

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
    intro:
      "Read the details about the restricted tenant: it went over its external recipient limit, which usually means some of its accounts are compromised. Find and secure them (see each user's restriction) before you unblock the tenant.",
    hint: 'For example: compromised accounts found and reset, tenant admin contacted.',
    ask: 'Unblock the tenant?',
    confirm:
      'If you verified that its accounts are secured, select Yes to confirm. All its users can send to external recipients again at once.',
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

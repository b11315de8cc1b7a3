// The one-page Unblock entity flyout for a connector or a whole tenant: Unblock → warning dialog → Yes,
// with an optional note for the audit log.
import { Button, Text } from '@fluentui/react-components';
import { entityId, entityName, type RestrictedEntity } from '../../types.js';
import { EntityOverview } from '../EntityDetails.js';
import { UnblockNote } from './ConfirmUnblock.js';
import { UnblockShell } from './UnblockShell.js';
import { useConfirmedUnblock } from './use-unblock.js';

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
  const name = entityName(entity);
  const t = ENTITY_TEXT[entity.Entity === 'Tenant' ? 'Tenant' : 'Connector'];
  const flow = useConfirmedUnblock(
    entity.Entity,
    entityId(entity),
    { title: t.done, body: `${name} ${t.again}`, failed: t.failed },
    onDone,
  );
  return (
    <UnblockShell
      titleId="unblock-entity-title"
      title="Unblock entity"
      name={name}
      flow={flow}
      onClose={onClose}
      footer={
        <Button appearance="primary" ref={flow.askRef} onClick={flow.ask}>
          Unblock
        </Button>
      }
      warning={{
        title: t.ask,
        text: (
          <>
            You're about to unblock the {t.what} <strong>{name}</strong>. {t.confirm}
          </>
        ),
      }}
    >
      <Text block style={{ marginBottom: 12 }}>
        {t.intro}
      </Text>
      <EntityOverview entity={entity} />
      <UnblockNote value={flow.note} onChange={flow.setNote} hint={t.hint} />
    </UnblockShell>
  );
}

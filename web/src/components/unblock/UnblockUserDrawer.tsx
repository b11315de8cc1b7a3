// The Unblock user flyout: Overview → Next → Unblock user (MFA and password links, a note) → Submit →
// warning dialog → Yes, as the Defender portal has it (docs/spec.md §1, §7).
import { Button, Link, Subtitle2, Text } from '@fluentui/react-components';
import { OpenRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { linkFor } from '../../api.js';
import { useSession } from '../../session.js';
import { entityName, type RestrictedEntity } from '../../types.js';
import { EntityOverview } from '../EntityDetails.js';
import { UnblockNote } from './ConfirmUnblock.js';
import { Steps } from './Steps.js';
import { useStyles } from './styles.js';
import { UnblockShell } from './UnblockShell.js';
import { useConfirmedUnblock, useFocusAfter } from './use-unblock.js';

export function UnblockUserDrawer({ entity, onClose, onDone }: { entity: RestrictedEntity; onClose: () => void; onDone: () => void }) {
  const s = useStyles();
  const { config } = useSession();
  const [step, setStep] = useState(0);
  const user = entityName(entity);
  const flow = useConfirmedUnblock(
    'Mailbox',
    user,
    { title: 'User unblocked', body: `${user} can send email again.`, failed: 'The user was not unblocked' },
    onDone,
  );
  const heading = useFocusAfter<HTMLHeadingElement>(step);

  return (
    <UnblockShell
      titleId="unblock-title"
      title="Unblock user"
      name={user}
      flow={flow}
      onClose={onClose}
      top={
        <>
          <Steps names={['Overview', 'Unblock user']} current={step} />
          <h2 ref={heading} tabIndex={-1} className={s.stepHeading}>
            {step === 0 ? 'Overview' : 'Unblock user'}
          </h2>
        </>
      }
      footer={
        step === 0 ? (
          <Button appearance="primary" onClick={() => setStep(1)}>
            Next
          </Button>
        ) : (
          <>
            <Button onClick={() => setStep(0)}>Back</Button>
            <Button appearance="primary" ref={flow.askRef} onClick={flow.ask}>
              Submit
            </Button>
          </>
        )
      }
      warning={{
        title: 'Remove the sending restriction?',
        text: (
          <>
            You're about to remove the sending restriction for <strong>{user}</strong>. If you verified that the account is secured, select
            Yes to confirm. The user can send email again at once.
          </>
        ),
      }}
    >
      {step === 0 ? (
        <>
          <Text block style={{ marginBottom: 12 }}>
            Read the details about the restricted account, and go through the suggestions in the Recommendations section to confirm that the
            account isn't compromised or to regain control of it.
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
          <UnblockNote
            value={flow.note}
            onChange={flow.setNote}
            hint="For example: password reset, MFA enabled, forwarding rule removed."
          />
        </>
      )}
    </UnblockShell>
  );
}

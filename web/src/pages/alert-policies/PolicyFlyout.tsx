// One alert policy in a flyout: its Status toggle, details, recipients and daily notification limit, and
// the Edit policy wizard.
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  OverlayDrawer,
  Switch,
  Text,
} from '@fluentui/react-components';
import { DeleteRegular, Dismiss24Regular, EditRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, formatDate } from '../../api.js';
import { Dl } from '../../components/Dl.js';
import { useNotify, useSession } from '../../session.js';
import { RecipientsWarning } from './Banners.js';
import { EditPolicyWizard } from './EditPolicyWizard.js';
import { limitText } from './labels.js';
import { useStyles } from './styles.js';
import type { AlertPolicy } from './types.js';

export function PolicyFlyout({ policy, onClose, onChanged }: { policy: AlertPolicy; onClose: () => void; onChanged: () => void }) {
  const s = useStyles();
  const notify = useNotify();
  const { canChange } = useSession();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  // Built-in policies can only be turned off; custom ones can go.
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await api('DELETE', `/api/v1/alert-policies/${encodeURIComponent(policy.Identity)}`);
      notify.success('Alert policy deleted', policy.Name);
      onClose();
      onChanged();
    } catch (err) {
      notify.error(err);
    } finally {
      setBusy(false);
    }
  };
  const toggle = async (on: boolean): Promise<void> => {
    setBusy(true);
    try {
      await api('PATCH', `/api/v1/alert-policies/${encodeURIComponent(policy.Identity)}`, { Disabled: !on });
      notify.success(on ? 'Alert policy turned on' : 'Alert policy turned off', policy.Name);
      onChanged();
    } catch (err) {
      notify.error(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <OverlayDrawer open={!editing} position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="ap-title">
        <DrawerHeader>
          <DrawerHeaderTitle
            id="ap-title"
            action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
          >
            {policy.Name}
          </DrawerHeaderTitle>
        </DrawerHeader>
        <DrawerBody>
          <div className={s.top}>
            {canChange ? (
              <>
                <Button icon={<EditRegular />} onClick={() => setEditing(true)}>
                  Edit policy
                </Button>
                <Switch
                  label={policy.Disabled ? 'Off' : 'On'}
                  checked={!policy.Disabled}
                  disabled={busy}
                  onChange={(_e, d) => void toggle(d.checked)}
                  aria-label="Status"
                />
                {policy.IsSystemRule ? null : (
                  <Button icon={<DeleteRegular />} disabled={busy} onClick={() => void remove()}>
                    Delete policy
                  </Button>
                )}
              </>
            ) : (
              <Badge appearance="tint" color={policy.Disabled ? 'subtle' : 'success'}>
                Status: {policy.Disabled ? 'Off' : 'On'}
              </Badge>
            )}
          </div>
          <Text block>{policy.Description}</Text>
          <Dl
            className={s.dl}
            rows={[
              ['Status', policy.Disabled ? 'Off' : 'On'],
              ['Severity', policy.Severity],
              ['Category', 'Threat management'],
              ['Type', policy.IsSystemRule ? 'System' : 'Custom'],
              ['Event', policy.Event],
              ['Aggregation', `${policy.AggregationMinutes} minutes`],
              ['Last modified', formatDate(policy.WhenChanged)],
            ]}
          />
          <Accordion collapsible defaultOpenItems={['recipients']}>
            <AccordionItem value="recipients">
              <AccordionHeader>Set your recipients</AccordionHeader>
              <AccordionPanel>
                <RecipientsWarning policy={policy} />
                <Dl
                  className={s.dl}
                  rows={[
                    ['Email notifications', policy.NotificationEnabled ? 'On' : 'Off'],
                    ['Recipients', policy.NotifyUser.join(', ') || '—'],
                    ['Sends to', policy.Recipients.join(', ') || 'No one'],
                    ['Daily notification limit', limitText(policy.DailyNotificationLimit)],
                  ]}
                />
                {canChange ? (
                  <Button appearance="subtle" icon={<EditRegular />} onClick={() => setEditing(true)}>
                    Edit recipient settings
                  </Button>
                ) : null}
              </AccordionPanel>
            </AccordionItem>
          </Accordion>
        </DrawerBody>
      </OverlayDrawer>
      {editing ? <EditPolicyWizard policy={policy} onClose={() => setEditing(false)} onSaved={onChanged} /> : null}
    </>
  );
}

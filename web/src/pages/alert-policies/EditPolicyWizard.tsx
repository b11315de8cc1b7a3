// An alert policy's Edit policy wizard: Decide if you want to notify people when this alert is triggered →
// Review your settings → Submit → Done.
import { Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../../api.js';
import { Dl } from '../../components/Dl.js';
import { useRecipientSuggestions } from '../../components/RecipientsPicker.js';
import { Wizard } from '../../components/Wizard.js';
import { useFinish } from '../../hooks/use-finish.js';
import { useNotify, useSession } from '../../session.js';
import { limitText } from './labels.js';
import { NotifyFields, notifyInvalid, notifyRows, type NotifySettings } from './NotifyFields.js';
import { useStyles } from './styles.js';
import type { AlertPolicy } from './types.js';

export function EditPolicyWizard({ policy, onClose, onSaved }: { policy: AlertPolicy; onClose: () => void; onSaved: () => void }) {
  const s = useStyles();
  const notify = useNotify();
  const { canAdminister } = useSession();
  const [step, setStep] = useState(0);
  const [settings, setSettings] = useState<NotifySettings>({
    NotificationEnabled: policy.NotificationEnabled,
    NotifyUser: policy.NotifyUser,
    DailyNotificationLimit: policy.DailyNotificationLimit,
  });
  const { busy, error, done, finish } = useFinish('The alert policy was not updated');
  const suggestions = useRecipientSuggestions(canAdminister);
  const submit = (): Promise<void> =>
    finish(async () => {
      await api('PATCH', `/api/v1/alert-policies/${encodeURIComponent(policy.Identity)}`, settings);
      const { NotificationEnabled: on, NotifyUser: to, DailyNotificationLimit: limit } = settings;
      notify.success(
        'Alert policy updated',
        `${policy.Name}: ${on ? `${to.join(', ') || 'no one'}, ${limitText(limit).toLowerCase()} a day` : 'email notifications off'}.`,
      );
      onSaved();
    });
  return (
    <Wizard
      title={`Edit ${policy.Name}`}
      step={step}
      onStep={setStep}
      onClose={onClose}
      error={error}
      finish={{ label: 'Submit', run: () => void submit(), busy }}
      done={done ? <Text>Your changes to {policy.Name} are saved. Alerts from now on use them.</Text> : undefined}
      steps={[
        {
          title: 'Decide if you want to notify people when this alert is triggered',
          invalid: notifyInvalid(settings),
          content: (
            <div className={s.form}>
              <NotifyFields value={settings} onChange={setSettings} suggestions={suggestions} />
            </div>
          ),
        },
        {
          title: 'Review your settings',
          content: <Dl className={s.dl} rows={[['Name', policy.Name], ['Severity', policy.Severity], ...notifyRows(settings)]} />,
        },
      ]}
    />
  );
}

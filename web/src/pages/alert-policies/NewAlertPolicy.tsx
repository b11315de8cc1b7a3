// The New alert policy wizard (New-ProtectionAlert): name and severity → the activity it alerts on →
// whom to notify → Review your settings → Submit → Done.
import { Dropdown, Field, Option, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api } from '../../api.js';
import { Dl } from '../../components/Dl.js';
import { useRecipientSuggestions } from '../../components/RecipientsPicker.js';
import { NameFields } from '../../components/NameFields.js';
import { Wizard } from '../../components/Wizard.js';
import { useFinish } from '../../hooks/use-finish.js';
import { useNotify, useSession } from '../../session.js';
import { ALERT_EVENTS, SEVERITIES } from './labels.js';
import { NotifyFields, notifyInvalid, notifyRows, type NotifySettings } from './NotifyFields.js';
import { useStyles } from './styles.js';

export function NewAlertPolicyWizard({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const s = useStyles();
  const notify = useNotify();
  const { canAdminister } = useSession();
  const suggestions = useRecipientSuggestions(canAdminister);
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [severity, setSeverity] = useState('Medium');
  const [event, setEvent] = useState('SendingLimitExceeded');
  const [notifySettings, setNotifySettings] = useState<NotifySettings>({
    NotificationEnabled: true,
    NotifyUser: ['TenantAdmins'],
    DailyNotificationLimit: null,
  });
  const { busy, error, done, finish } = useFinish('The alert policy was not created');
  const eventText = ALERT_EVENTS.find(([k]) => k === event)?.[1] ?? event;
  const submit = (): Promise<void> =>
    finish(async () => {
      await api('POST', '/api/v1/alert-policies', {
        Name: name.trim(),
        Event: event,
        Severity: severity,
        ...(description.trim() ? { Description: description.trim() } : {}),
        ...notifySettings,
      });
      notify.success('Alert policy created', name.trim());
      onCreated(name.trim());
    });
  return (
    <Wizard
      title="New alert policy"
      step={step}
      onStep={setStep}
      onClose={onClose}
      error={error}
      finish={{ label: 'Submit', run: () => void submit(), busy }}
      done={done ? <Text>{name.trim()} is on: it raises an alert from now on.</Text> : undefined}
      steps={[
        {
          title: 'Name your alert, categorize it, and choose a severity',
          invalid: name.trim() ? null : 'Give the policy a name.',
          content: (
            <div className={s.form}>
              <NameFields name={name} description={description} onName={setName} onDescription={setDescription} />
              <Field label="Severity">
                <Dropdown value={severity} selectedOptions={[severity]} onOptionSelect={(_e, d) => setSeverity(d.optionValue ?? severity)}>
                  {SEVERITIES.map((x) => (
                    <Option key={x}>{x}</Option>
                  ))}
                </Dropdown>
              </Field>
            </div>
          ),
        },
        {
          title: 'Choose an activity',
          content: (
            <div className={s.form}>
              <Field label="Activity" hint="The alert fires when this happens in this tenant.">
                <Dropdown value={eventText} selectedOptions={[event]} onOptionSelect={(_e, d) => setEvent(d.optionValue ?? event)}>
                  {ALERT_EVENTS.map(([k, t]) => (
                    <Option key={k} value={k}>
                      {t}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            </div>
          ),
        },
        {
          title: 'Decide if you want to notify people when this alert is triggered',
          invalid: notifyInvalid(notifySettings),
          content: (
            <div className={s.form}>
              <NotifyFields value={notifySettings} onChange={setNotifySettings} suggestions={suggestions} />
            </div>
          ),
        },
        {
          title: 'Review your settings',
          content: (
            <Dl
              className={s.dl}
              rows={[['Name', name.trim()], ['Severity', severity], ['Activity', eventText], ...notifyRows(notifySettings)]}
            />
          ),
        },
      ]}
    />
  );
}

// The New alert policy wizard (New-ProtectionAlert): name and severity → the activity it alerts on →
// whom to notify → Review your settings → Submit → Done.
import { Checkbox, Dropdown, Field, Input, makeStyles, Option, Text, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import { api, errorText } from '../api.js';
import { useNotify, useSession } from '../session.js';
import { RecipientsPicker, useRecipientSuggestions } from './RecipientsPicker.js';
import { Wizard } from './Wizard.js';

/** The event kinds a custom policy can watch, in the words the built-in policies use. */
export const ALERT_EVENTS: Array<[string, string]> = [
  ['UserRestricted', 'A user is restricted from sending email'],
  ['SendingLimitExceeded', 'A sender goes over a sending limit'],
  ['SuspiciousSending', 'Suspicious email sending patterns are detected'],
  ['ConnectorRestricted', 'A connector is restricted from sending email'],
];
const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'];
const LIMITS: Array<number | null> = [null, 1, 5, 10, 25, 50, 150, 200];
const limitText = (n: number | null): string => (n === null ? 'No limit' : String(n));

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '16px', maxWidth: '560px' },
  dl: { display: 'grid', gridTemplateColumns: 'minmax(150px, max-content) 1fr', gap: '6px 16px', margin: '8px 0' },
  dd: { margin: 0, overflowWrap: 'anywhere' },
});

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
  const [optIn, setOptIn] = useState(true);
  const [recipients, setRecipients] = useState<string[]>(['TenantAdmins']);
  const [limit, setLimit] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const eventText = ALERT_EVENTS.find(([k]) => k === event)?.[1] ?? event;
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/alert-policies', {
        Name: name.trim(),
        Event: event,
        Severity: severity,
        ...(description.trim() ? { Description: description.trim() } : {}),
        NotificationEnabled: optIn,
        NotifyUser: recipients,
        DailyNotificationLimit: limit,
      });
      notify.success('Alert policy created', name.trim());
      setDone(true);
      onCreated(name.trim());
    } catch (err) {
      setError(errorText(err));
      notify.error(err, 'The alert policy was not created');
    } finally {
      setBusy(false);
    }
  };
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
              <Field label="Name" required>
                <Input value={name} onChange={(_e, d) => setName(d.value)} maxLength={64} />
              </Field>
              <Field label="Description">
                <Textarea value={description} onChange={(_e, d) => setDescription(d.value)} maxLength={1024} />
              </Field>
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
          invalid: optIn && recipients.length === 0 ? 'Add at least one recipient, or opt out.' : null,
          content: (
            <div className={s.form}>
              <Checkbox checked={optIn} onChange={(_e, d) => setOptIn(!!d.checked)} label="Opt-in for email notifications" />
              <Field label="Email recipients" hint="TenantAdmins means the Global Administrators of this tenant.">
                <RecipientsPicker value={recipients} onChange={setRecipients} suggestions={suggestions} />
              </Field>
              <Field label="Daily notification limit">
                <Dropdown
                  value={limitText(limit)}
                  selectedOptions={[limitText(limit)]}
                  onOptionSelect={(_e, d) => setLimit(d.optionValue === 'No limit' ? null : Number(d.optionValue))}
                >
                  {LIMITS.map((l) => (
                    <Option key={limitText(l)}>{limitText(l)}</Option>
                  ))}
                </Dropdown>
              </Field>
            </div>
          ),
        },
        {
          title: 'Review your settings',
          content: (
            <dl className={s.dl}>
              {(
                [
                  ['Name', name.trim()],
                  ['Severity', severity],
                  ['Activity', eventText],
                  ['Email notifications', optIn ? 'On' : 'Off'],
                  ['Email recipients', recipients.join(', ') || '—'],
                  ['Daily notification limit', limitText(limit)],
                ] as const
              ).map(([k, v]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt>{k}</dt>
                  <dd className={s.dd}>{v}</dd>
                </div>
              ))}
            </dl>
          ),
        },
      ]}
    />
  );
}

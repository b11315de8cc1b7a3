// The notification fields every alert policy has, shared by the New alert policy and Edit policy wizards:
// opt-in, recipients and the daily notification limit, with their check and their review rows.
import { Checkbox, Dropdown, Field, Option } from '@fluentui/react-components';
import { RecipientsPicker } from '../../components/RecipientsPicker.js';
import { LIMITS, limitText } from './labels.js';

export interface NotifySettings {
  NotificationEnabled: boolean;
  NotifyUser: string[];
  DailyNotificationLimit: number | null;
}

export const notifyInvalid = (v: NotifySettings): string | null =>
  v.NotificationEnabled && v.NotifyUser.length === 0 ? 'Add at least one recipient, or opt out.' : null;

export const notifyRows = (v: NotifySettings): Array<[string, string]> => [
  ['Email notifications', v.NotificationEnabled ? 'On' : 'Off'],
  ['Email recipients', v.NotifyUser.join(', ') || '—'],
  ['Daily notification limit', limitText(v.DailyNotificationLimit)],
];

/** `suggestions` come from the wizard (useRecipientSuggestions), loaded once when it opens. */
export function NotifyFields({
  value,
  onChange,
  suggestions,
}: {
  value: NotifySettings;
  onChange: (v: NotifySettings) => void;
  suggestions: string[];
}) {
  return (
    <>
      <Checkbox
        checked={value.NotificationEnabled}
        onChange={(_e, d) => onChange({ ...value, NotificationEnabled: !!d.checked })}
        label="Opt-in for email notifications"
      />
      <Field label="Email recipients" hint="TenantAdmins means the Global Administrators of this tenant.">
        <RecipientsPicker
          value={value.NotifyUser}
          onChange={(NotifyUser) => onChange({ ...value, NotifyUser })}
          suggestions={suggestions}
        />
      </Field>
      <Field label="Daily notification limit">
        <Dropdown
          value={limitText(value.DailyNotificationLimit)}
          selectedOptions={[limitText(value.DailyNotificationLimit)]}
          onOptionSelect={(_e, d) =>
            onChange({ ...value, DailyNotificationLimit: d.optionValue === 'No limit' ? null : Number(d.optionValue) })
          }
        >
          {LIMITS.map((l) => (
            <Option key={limitText(l)}>{limitText(l)}</Option>
          ))}
        </Dropdown>
      </Field>
    </>
  );
}

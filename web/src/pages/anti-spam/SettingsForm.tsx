// The protection settings of an outbound policy (limits, restriction, forwarding), for the create wizard and the flyout.
import { Dropdown, Field, Input, Option, Subtitle2 } from '@fluentui/react-components';
import { ACTIONS, FORWARDING, limitError } from './labels.js';
import { useStyles } from './styles.js';
import type { Action, Settings } from './types.js';

export function SettingsForm({ value, onChange }: { value: Settings; onChange: (v: Settings) => void }) {
  const s = useStyles();
  const num = (
    key: 'RecipientLimitExternalPerHour' | 'RecipientLimitInternalPerHour' | 'RecipientLimitPerDay',
    label: string,
    hint: string,
  ) => (
    <Field label={label} hint={hint} validationMessage={limitError(value[key])} validationState={limitError(value[key]) ? 'error' : 'none'}>
      <Input
        type="number"
        min={0}
        max={10000}
        value={String(value[key])}
        onChange={(_e, d) => onChange({ ...value, [key]: d.value === '' ? 0 : Number(d.value) })}
      />
    </Field>
  );
  return (
    <div className={s.form}>
      <Subtitle2 as="h3">Message limits</Subtitle2>
      {num(
        'RecipientLimitExternalPerHour',
        'Set an external message limit',
        'Recipients outside your domains per hour; 0 uses the service default.',
      )}
      {num(
        'RecipientLimitInternalPerHour',
        'Set an internal message limit',
        'Recipients in your accepted domains per hour; 0 uses the service default.',
      )}
      {num('RecipientLimitPerDay', 'Set a daily message limit', 'All recipients per day; 0 uses the service default.')}
      <Field label="Restriction placed on users who reach the message limit">
        <Dropdown
          value={ACTIONS[value.ActionWhenThresholdReached]}
          selectedOptions={[value.ActionWhenThresholdReached]}
          onOptionSelect={(_e, d) => onChange({ ...value, ActionWhenThresholdReached: d.optionValue as Action })}
        >
          {(Object.keys(ACTIONS) as Action[]).map((a) => (
            <Option key={a} value={a}>
              {ACTIONS[a]}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Subtitle2 as="h3">Forwarding rules</Subtitle2>
      <Field label="Automatic forwarding rules">
        <Dropdown
          value={FORWARDING[value.AutoForwardingMode]}
          selectedOptions={[value.AutoForwardingMode]}
          onOptionSelect={(_e, d) => onChange({ ...value, AutoForwardingMode: d.optionValue as Settings['AutoForwardingMode'] })}
        >
          {(Object.keys(FORWARDING) as Array<keyof typeof FORWARDING>).map((a) => (
            <Option key={a} value={a}>
              {FORWARDING[a]}
            </Option>
          ))}
        </Dropdown>
      </Field>
    </div>
  );
}

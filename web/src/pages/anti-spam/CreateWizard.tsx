// The create wizard: Name your policy → Users, groups, and domains → Protection settings → Review → Create,
// whose Review replays the last 7 days with the new settings.
import { Checkbox, Field, Input, Subtitle2, Text } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, errorText } from '../../api.js';
import { Dl } from '../../components/Dl.js';
import { NameFields } from '../../components/NameFields.js';
import { Wizard } from '../../components/Wizard.js';
import { useFinish } from '../../hooks/use-finish.js';
import { useNotify } from '../../session.js';
import { ACTIONS, FORWARDING, limitError, limitText, split } from './labels.js';
import { SettingsForm } from './SettingsForm.js';
import { useStyles } from './styles.js';
import type { Settings, WhatIf } from './types.js';
import { WhatIfResult, type WhatIfState } from './WhatIfResult.js';

export function CreateWizard({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const notify = useNotify();
  const s = useStyles();
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [users, setUsers] = useState('');
  const [groups, setGroups] = useState('');
  const [domains, setDomains] = useState('');
  const [exclude, setExclude] = useState(false);
  const [exUsers, setExUsers] = useState('');
  const [exDomains, setExDomains] = useState('');
  const [settings, setSettings] = useState<Settings>({
    RecipientLimitExternalPerHour: 0,
    RecipientLimitInternalPerHour: 0,
    RecipientLimitPerDay: 0,
    ActionWhenThresholdReached: 'BlockUserForToday',
    AutoForwardingMode: 'Automatic',
  });
  const [whatIf, setWhatIf] = useState<WhatIfState>({ kind: 'idle' });
  const { busy, error, done, finish } = useFinish('The policy was not created');

  const rule = {
    ...(split(users).length ? { From: split(users) } : {}),
    ...(split(groups).length ? { FromMemberOf: split(groups) } : {}),
    ...(split(domains).length ? { SenderDomainIs: split(domains) } : {}),
    ...(exclude && split(exUsers).length ? { ExceptIfFrom: split(exUsers) } : {}),
    ...(exclude && split(exDomains).length ? { ExceptIfSenderDomainIs: split(exDomains) } : {}),
  };
  const limits = {
    RecipientLimitExternalPerHour: settings.RecipientLimitExternalPerHour,
    RecipientLimitInternalPerHour: settings.RecipientLimitInternalPerHour,
    RecipientLimitPerDay: settings.RecipientLimitPerDay,
    ActionWhenThresholdReached: settings.ActionWhenThresholdReached,
  };
  const review = step === 3;
  const key = JSON.stringify([name, rule, limits]);
  useEffect(() => {
    if (!review) return;
    // A newer replay (the admin went back and changed something) aborts this one and only it may show.
    const mine = new AbortController();
    setWhatIf({ kind: 'loading' });
    api<WhatIf>('POST', '/api/v1/outbound-policies/what-if', { Name: name.trim(), Settings: limits, Rule: rule }, mine.signal).then(
      (result) => !mine.signal.aborted && setWhatIf({ kind: 'ok', result }),
      (err: unknown) => !mine.signal.aborted && setWhatIf({ kind: 'error', message: errorText(err) }),
    );
    return () => mine.abort();
    // The key covers everything the replay depends on.
  }, [review, key]);

  const create = (): Promise<void> =>
    finish(async () => {
      await api('POST', '/api/v1/outbound-policies', {
        Name: name.trim(),
        ...(description.trim() ? { AdminDisplayName: description.trim() } : {}),
        ...settings,
      });
      try {
        await api('POST', '/api/v1/outbound-rules', { Name: name.trim(), HostedOutboundSpamFilterPolicy: name.trim(), ...rule });
      } catch (err) {
        await api('DELETE', `/api/v1/outbound-policies/${encodeURIComponent(name.trim())}`).catch(() => undefined);
        throw err;
      }
      notify.success('Policy created', `${name.trim()} is on and applies to the senders you chose.`);
      onCreated();
    });

  const who = (
    <Dl
      rows={[
        ['Users', rule.From?.join(', ') ?? '—'],
        ['Groups', rule.FromMemberOf?.join(', ') ?? '—'],
        ['Domains', rule.SenderDomainIs?.join(', ') ?? '—'],
        ['Excluded', [...(rule.ExceptIfFrom ?? []), ...(rule.ExceptIfSenderDomainIs ?? [])].join(', ') || '—'],
      ]}
    />
  );
  const nameInvalid = !name.trim() ? 'Enter a name to continue.' : name.trim().length > 64 ? 'A name has at most 64 characters.' : null;
  return (
    <Wizard
      title="Create a new outbound anti-spam policy"
      step={step}
      onStep={setStep}
      onClose={onClose}
      error={error}
      finish={{ label: 'Create', run: () => void create(), busy }}
      done={
        done ? (
          <Text>
            The policy <strong>{name.trim()}</strong> was created and applies now.
          </Text>
        ) : undefined
      }
      steps={[
        {
          title: 'Name your policy',
          invalid: nameInvalid,
          content: (
            <div className={s.form}>
              <NameFields name={name} description={description} onName={setName} onDescription={setDescription} />
            </div>
          ),
        },
        {
          title: 'Users, groups, and domains',
          invalid: Object.keys(rule).some((k) => !k.startsWith('ExceptIf')) ? null : 'Add at least one user, group or domain.',
          content: (
            <div className={s.form}>
              <Text>
                Add the internal senders the policy applies to. Separate several with commas. Values of one kind are OR'ed; different kinds
                are AND'ed.
              </Text>
              <Field label="Users" hint="Sender addresses, e.g. julia@contoso.com">
                <Input value={users} onChange={(_e, d) => setUsers(d.value)} />
              </Field>
              <Field label="Groups" hint="Distribution group names or addresses">
                <Input value={groups} onChange={(_e, d) => setGroups(d.value)} />
              </Field>
              <Field label="Domains" hint="Accepted domains, e.g. contoso.com">
                <Input value={domains} onChange={(_e, d) => setDomains(d.value)} />
              </Field>
              <Checkbox checked={exclude} onChange={(_e, d) => setExclude(!!d.checked)} label="Exclude these users, groups, and domains" />
              {exclude ? (
                <>
                  <Field label="Excluded users">
                    <Input value={exUsers} onChange={(_e, d) => setExUsers(d.value)} />
                  </Field>
                  <Field label="Excluded domains">
                    <Input value={exDomains} onChange={(_e, d) => setExDomains(d.value)} />
                  </Field>
                </>
              ) : null}
            </div>
          ),
        },
        {
          title: 'Protection settings',
          invalid: [settings.RecipientLimitExternalPerHour, settings.RecipientLimitInternalPerHour, settings.RecipientLimitPerDay].some(
            (v) => limitError(v),
          )
            ? 'Fix the limits to continue.'
            : null,
          content: <SettingsForm value={settings} onChange={setSettings} />,
        },
        {
          title: 'Review',
          content: (
            <>
              <Subtitle2 as="h3">Policy name</Subtitle2>
              <Dl
                rows={[
                  ['Name', name.trim()],
                  ['Description', description.trim() || '—'],
                ]}
              />
              <Subtitle2 as="h3">Users, groups, and domains</Subtitle2>
              {who}
              <Subtitle2 as="h3">Protection settings</Subtitle2>
              <Dl
                rows={[
                  ['External message limit', limitText(settings.RecipientLimitExternalPerHour)],
                  ['Internal message limit', limitText(settings.RecipientLimitInternalPerHour)],
                  ['Daily message limit', limitText(settings.RecipientLimitPerDay)],
                  ['Restriction', ACTIONS[settings.ActionWhenThresholdReached]],
                  ['Automatic forwarding', FORWARDING[settings.AutoForwardingMode]],
                ]}
              />
              <Subtitle2 as="h3">What these settings would have done</Subtitle2>
              <WhatIfResult state={whatIf} />
            </>
          ),
        },
      ]}
    />
  );
}

// Anti-spam policies, outbound (/antispam): the default policy and custom ones in priority order; the
// create wizard (Name your policy → Users, groups, and domains → Protection settings → Review → Create)
// whose Review shows what the settings would have restricted in the last 7 days; editing in a flyout.
import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Option,
  OverlayDrawer,
  Spinner,
  Subtitle2,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import {
  AddRegular,
  ArrowClockwiseRegular,
  ArrowDownRegular,
  ArrowUpRegular,
  DeleteRegular,
  Dismiss24Regular,
  EditRegular,
} from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, formatDate } from '../api.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, ListSearch, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { Wizard } from '../components/Wizard.js';
import { useNotify, useSession } from '../session.js';

export interface Policy {
  Name: string;
  Id: string;
  IsDefault: boolean;
  AdminDisplayName: string;
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
  ActionWhenThresholdReached: Action;
  AutoForwardingMode: 'Automatic' | 'On' | 'Off';
  WhenChangedUTC: string;
}
interface Rule {
  Id: string;
  Name: string;
  HostedOutboundSpamFilterPolicy: string;
  Priority: number;
  State: 'Enabled' | 'Disabled';
  From?: string[];
  FromMemberOf?: string[];
  SenderDomainIs?: string[];
  ExceptIfFrom?: string[];
  ExceptIfFromMemberOf?: string[];
  ExceptIfSenderDomainIs?: string[];
}
type Action = 'BlockUserForToday' | 'BlockUser' | 'Alert';
interface WhatIf {
  Count: number;
  SendersEvaluated: number;
  From: string;
  To: string;
  Restricted: Array<{ EntityType: string; Entity: string; At: string; Limit: string; Count: number; Threshold: number; Outcome: string }>;
  Note?: string;
  /** The rule's place (0 first) as saving would leave it; null for the default policy. */
  Priority: number | null;
  /** Policies tried before this one: the senders they cover are never judged by it. */
  EvaluatedAfter: string[];
}

/** Where the replay judged the policy: the same place live evaluation will. */
function placeText(r: WhatIf): string {
  const after = r.EvaluatedAfter.length === 0 ? '' : ` after ${r.EvaluatedAfter.join(', ')}`;
  const where = r.Priority === null ? `Evaluated last, as the default policy${after}` : `Evaluated at priority ${r.Priority}${after || ', first'}`;
  return r.EvaluatedAfter.length === 0 ? `${where}.` : `${where}: senders ${r.EvaluatedAfter.length === 1 ? 'that policy covers' : 'those policies cover'} are judged by ${r.EvaluatedAfter.length === 1 ? 'it' : 'them'}, not by this one.`;
}

export const ACTIONS: Record<Action, string> = {
  BlockUserForToday: 'Restrict the user from sending mail until the following day',
  BlockUser: 'Restrict the user from sending mail',
  Alert: 'Alert only: let the mail through',
};
const FORWARDING = {
  Automatic: 'Automatic - System-controlled',
  On: 'On - Forwarding is enabled',
  Off: 'Off - Forwarding is disabled',
} as const;

const useStyles = makeStyles({
  table: { minWidth: '760px', tableLayout: 'auto' },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  row: { cursor: 'pointer' },
  form: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '560px' },
  dl: { display: 'grid', gridTemplateColumns: 'minmax(140px, max-content) 1fr', gap: '6px 16px', margin: 0 },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  list: { margin: '4px 0', paddingLeft: '20px' },
  actions: { display: 'flex', gap: '8px', flexWrap: 'wrap', marginBottom: '12px' },
});

const split = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const limitText = (n: number): string => (n === 0 ? '0 (service default)' : String(n));

function Dl({ rows }: { rows: Array<[string, React.ReactNode]> }) {
  const s = useStyles();
  return (
    <dl className={s.dl}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt className={s.dt}>{k}</dt>
          <dd className={s.dd}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

interface Settings {
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
  ActionWhenThresholdReached: Action;
  AutoForwardingMode: 'Automatic' | 'On' | 'Off';
}

function limitError(v: number): string | null {
  return Number.isInteger(v) && v >= 0 && v <= 10000 ? null : 'A whole number from 0 to 10,000.';
}

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

function WhatIfResult({
  state,
}: {
  state: { kind: 'idle' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; result: WhatIf };
}) {
  const s = useStyles();
  if (state.kind === 'idle') return null;
  if (state.kind === 'loading') return <Spinner size="tiny" label="Replaying the last 7 days…" labelPosition="after" />;
  if (state.kind === 'error') return <ErrorState message={state.message} />;
  const r = state.result;
  return (
    <MessageBar intent={r.Count > 0 ? 'warning' : 'success'} data-testid="what-if">
      <MessageBarBody>
        <Text weight="semibold" block>
          {r.Count === 0
            ? `In the last 7 days these settings would have restricted no sender (of ${r.SendersEvaluated} evaluated).`
            : `In the last 7 days these settings would have restricted ${r.Count} ${r.Count === 1 ? 'sender' : 'senders'} (of ${r.SendersEvaluated} evaluated):`}
        </Text>
        <Text block data-testid="what-if-place">
          {placeText(r)}
        </Text>
        {r.Count > 0 ? (
          <ul className={s.list}>
            {r.Restricted.slice(0, 20).map((x) => (
              <li key={`${x.EntityType}:${x.Entity}`}>
                {x.Entity}: {x.Count} recipients against {x.Limit} {x.Threshold}, {formatDate(x.At)}
              </li>
            ))}
            {r.Restricted.length > 20 ? <li>and {r.Restricted.length - 20} more</li> : null}
          </ul>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

type WhatIfState = Parameters<typeof WhatIfResult>[0]['state'];

function CreateWizard({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

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
    let live = true;
    setWhatIf({ kind: 'loading' });
    api<WhatIf>('POST', '/api/v1/outbound-policies/what-if', { Name: name.trim(), Settings: limits, Rule: rule }).then(
      (result) => live && setWhatIf({ kind: 'ok', result }),
      (err: unknown) => live && setWhatIf({ kind: 'error', message: errorText(err) }),
    );
    return () => {
      live = false;
    };
    // The key covers everything the replay depends on.
  }, [review, key]);

  const create = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
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
      setDone(true);
      onCreated();
    } catch (err) {
      setError(errorText(err));
      notify.error(err, 'The policy was not created');
    } finally {
      setBusy(false);
    }
  };

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
              <Field label="Name" required>
                <Input value={name} onChange={(_e, d) => setName(d.value)} maxLength={64} />
              </Field>
              <Field label="Description">
                <Textarea value={description} onChange={(_e, d) => setDescription(d.value)} maxLength={1024} />
              </Field>
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

function PolicyFlyout({
  policy,
  rule,
  rules,
  onClose,
  onChanged,
}: {
  policy: Policy;
  rule: Rule | undefined;
  rules: Rule[];
  onClose: () => void;
  onChanged: () => void;
}) {
  const s = useStyles();
  const notify = useNotify();
  const { canChange } = useSession();
  const [editing, setEditing] = useState(false);
  const [settings, setSettings] = useState<Settings>({
    RecipientLimitExternalPerHour: policy.RecipientLimitExternalPerHour,
    RecipientLimitInternalPerHour: policy.RecipientLimitInternalPerHour,
    RecipientLimitPerDay: policy.RecipientLimitPerDay,
    ActionWhenThresholdReached: policy.ActionWhenThresholdReached,
    AutoForwardingMode: policy.AutoForwardingMode,
  });
  const [whatIf, setWhatIf] = useState<WhatIfState>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (what: string, f: () => Promise<unknown>, close = false): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await f();
      notify.success(what);
      onChanged();
      if (close) onClose();
    } catch (err) {
      setError(errorText(err));
      notify.error(err);
    } finally {
      setBusy(false);
    }
  };
  const preview = (): void => {
    setWhatIf({ kind: 'loading' });
    const { AutoForwardingMode: _f, ...limits } = settings;
    api<WhatIf>('POST', '/api/v1/outbound-policies/what-if', { Policy: policy.Name, Settings: limits }).then(
      (result) => setWhatIf({ kind: 'ok', result }),
      (err: unknown) => setWhatIf({ kind: 'error', message: errorText(err) }),
    );
  };
  const maxPriority = Math.max(0, ...rules.map((r) => r.Priority));
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby="policy-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="policy-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {policy.Name}
        </DrawerHeaderTitle>
        <Text>{policy.AdminDisplayName}</Text>
      </DrawerHeader>
      <DrawerBody>
        {error ? (
          <MessageBar intent="error" role="alert" style={{ marginBottom: 12 }}>
            <MessageBarBody>{error}</MessageBarBody>
          </MessageBar>
        ) : null}
        {canChange && rule ? (
          <div className={s.actions}>
            <Switch
              label={rule.State === 'Enabled' ? 'On' : 'Off'}
              checked={rule.State === 'Enabled'}
              disabled={busy}
              onChange={(_e, d) =>
                void run(d.checked ? 'Policy turned on' : 'Policy turned off', () =>
                  api('PATCH', `/api/v1/outbound-rules/${encodeURIComponent(rule.Name)}`, { Enabled: d.checked }),
                )
              }
            />
            <Button
              icon={<ArrowUpRegular />}
              disabled={busy || rule.Priority === 0}
              onClick={() =>
                void run('Priority increased', () =>
                  api('PATCH', `/api/v1/outbound-rules/${encodeURIComponent(rule.Name)}`, { Priority: rule.Priority - 1 }),
                )
              }
            >
              Increase priority
            </Button>
            <Button
              icon={<ArrowDownRegular />}
              disabled={busy || rule.Priority >= maxPriority}
              onClick={() =>
                void run('Priority decreased', () =>
                  api('PATCH', `/api/v1/outbound-rules/${encodeURIComponent(rule.Name)}`, { Priority: rule.Priority + 1 }),
                )
              }
            >
              Decrease priority
            </Button>
            <Button
              icon={<DeleteRegular />}
              disabled={busy}
              onClick={() =>
                void run(
                  'Policy deleted',
                  async () => {
                    await api('DELETE', `/api/v1/outbound-rules/${encodeURIComponent(rule.Name)}`);
                    await api('DELETE', `/api/v1/outbound-policies/${encodeURIComponent(policy.Name)}`);
                  },
                  true,
                )
              }
            >
              Delete policy
            </Button>
          </div>
        ) : null}
        <Subtitle2 as="h3">Applies to</Subtitle2>
        {policy.IsDefault ? (
          <Text block>Every sender no custom policy covers (always on, lowest priority).</Text>
        ) : rule ? (
          <Dl
            rows={[
              ['Priority', String(rule.Priority)],
              ['Status', rule.State === 'Enabled' ? 'On' : 'Off'],
              ['Users', rule.From?.join(', ') || '—'],
              ['Groups', rule.FromMemberOf?.join(', ') || '—'],
              ['Domains', rule.SenderDomainIs?.join(', ') || '—'],
              [
                'Excluded',
                [...(rule.ExceptIfFrom ?? []), ...(rule.ExceptIfFromMemberOf ?? []), ...(rule.ExceptIfSenderDomainIs ?? [])].join(', ') ||
                  '—',
              ],
            ]}
          />
        ) : (
          <Text block>No rule binds this policy to senders, so it applies to nobody.</Text>
        )}
        <div style={{ height: 16 }} />
        <Subtitle2 as="h3">Protection settings</Subtitle2>
        {editing ? (
          <>
            <SettingsForm value={settings} onChange={setSettings} />
            <div className={s.actions} style={{ marginTop: 12 }}>
              <Button onClick={preview}>Preview the last 7 days</Button>
            </div>
            <WhatIfResult state={whatIf} />
          </>
        ) : (
          <Dl
            rows={[
              ['External message limit', limitText(policy.RecipientLimitExternalPerHour)],
              ['Internal message limit', limitText(policy.RecipientLimitInternalPerHour)],
              ['Daily message limit', limitText(policy.RecipientLimitPerDay)],
              ['Restriction', ACTIONS[policy.ActionWhenThresholdReached]],
              ['Automatic forwarding', FORWARDING[policy.AutoForwardingMode]],
              ['Last modified', formatDate(policy.WhenChangedUTC)],
            ]}
          />
        )}
      </DrawerBody>
      <DrawerFooter>
        {canChange && !editing ? (
          <Button appearance="primary" icon={<EditRegular />} onClick={() => setEditing(true)}>
            Edit protection settings
          </Button>
        ) : null}
        {editing ? (
          <>
            <Button
              appearance="primary"
              disabled={
                busy ||
                [settings.RecipientLimitExternalPerHour, settings.RecipientLimitInternalPerHour, settings.RecipientLimitPerDay].some((v) =>
                  limitError(v),
                )
              }
              onClick={() =>
                void run('Policy saved', () => api('PATCH', `/api/v1/outbound-policies/${encodeURIComponent(policy.Name)}`, settings), true)
              }
            >
              Save
            </Button>
            <Button onClick={() => setEditing(false)} disabled={busy}>
              Cancel
            </Button>
          </>
        ) : (
          <Button onClick={onClose}>Close</Button>
        )}
      </DrawerFooter>
    </OverlayDrawer>
  );
}

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; policies: Policy[]; rules: Rule[] };

export function AntiSpam() {
  const s = useStyles();
  const { canChange } = useSession();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [openName, setOpenName] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [policies, rules] = await Promise.all([
        api<Policy[]>('GET', '/api/v1/outbound-policies'),
        api<Rule[]>('GET', '/api/v1/outbound-rules'),
      ]);
      setLoad({ kind: 'ok', policies, rules });
    } catch (err) {
      setLoad({ kind: 'error', message: errorText(err) });
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const policies = load.kind === 'ok' ? load.policies : [];
  const rules = load.kind === 'ok' ? load.rules : [];
  const ruleOf = (p: Policy): Rule | undefined =>
    rules.find((r) => r.HostedOutboundSpamFilterPolicy.toLowerCase() === p.Name.toLowerCase() || r.HostedOutboundSpamFilterPolicy === p.Id);
  const needle = search.trim().toLowerCase();
  const shown = policies.filter(
    (p) => !needle || p.Name.toLowerCase().includes(needle) || p.AdminDisplayName.toLowerCase().includes(needle),
  );
  const { sorted, headerProps } = useSort(
    shown,
    {
      name: (p) => p.Name,
      status: (p) => (p.IsDefault ? 'Always on' : (ruleOf(p)?.State ?? 'Off')),
      priority: (p) => (p.IsDefault ? Number.MAX_SAFE_INTEGER : (ruleOf(p)?.Priority ?? Number.MAX_SAFE_INTEGER - 1)),
      action: (p) => p.ActionWhenThresholdReached,
      modified: (p) => p.WhenChangedUTC,
    },
    { column: 'priority', dir: 'ascending' },
  );
  const open = policies.find((p) => p.Name === openName);
  return (
    <>
      <PageHeader title="Anti-spam policies (outbound)">
        The limits on what your senders may send, and what happens when one goes over them. The first enabled custom policy that matches a
        sender wins; the default policy covers everyone else.
      </PageHeader>
      <Bar>
        {canChange ? (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
            Create policy
          </Button>
        ) : null}
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Grow />
        <ListSearch value={search} onChange={setSearch} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading policies…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && shown.length === 0 ? <EmptyState title="Nothing matches" body="No policy matches the search." /> : null}
      {load.kind === 'ok' && shown.length > 0 ? (
        <Scroll>
          <Table sortable aria-label="Outbound anti-spam policies" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('name')}>Name</TableHeaderCell>
                <TableHeaderCell {...headerProps('status')}>Status</TableHeaderCell>
                <TableHeaderCell {...headerProps('priority')}>Priority</TableHeaderCell>
                <TableHeaderCell {...headerProps('action')}>Restriction</TableHeaderCell>
                <TableHeaderCell>Limits (external/h, internal/h, day)</TableHeaderCell>
                <TableHeaderCell {...headerProps('modified')}>Last modified</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((p) => {
                const r = ruleOf(p);
                return (
                  <TableRow key={p.Id} className={s.row} onClick={() => setOpenName(p.Name)} data-policy={p.Name}>
                    <TableCell>
                      <Button appearance="transparent" className={s.name} onClick={(e) => (e.stopPropagation(), setOpenName(p.Name))}>
                        {p.Name}
                      </Button>
                    </TableCell>
                    <TableCell>
                      {p.IsDefault ? (
                        <Badge appearance="tint">Always on</Badge>
                      ) : (
                        <Badge appearance="tint" color={r?.State === 'Enabled' ? 'success' : 'subtle'}>
                          {r?.State === 'Enabled' ? 'On' : 'Off'}
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell>{p.IsDefault ? 'Lowest' : r ? String(r.Priority) : '—'}</TableCell>
                    <TableCell>{p.ActionWhenThresholdReached}</TableCell>
                    <TableCell>
                      {p.RecipientLimitExternalPerHour}, {p.RecipientLimitInternalPerHour}, {p.RecipientLimitPerDay}
                    </TableCell>
                    <TableCell>{formatDate(p.WhenChangedUTC)}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {creating ? <CreateWizard onClose={() => setCreating(false)} onCreated={() => void refresh()} /> : null}
      {open ? (
        <PolicyFlyout
          key={open.Id + open.WhenChangedUTC}
          policy={open}
          rule={ruleOf(open)}
          rules={rules}
          onClose={() => setOpenName(null)}
          onChanged={() => void refresh()}
        />
      ) : null}
    </>
  );
}

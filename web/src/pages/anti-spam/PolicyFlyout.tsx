// One policy in a flyout: who it applies to, its settings (edited in place, with a 7-day preview), and
// for a custom policy its rule's on/off, priority and deletion.
import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Subtitle2,
  Switch,
  Text,
} from '@fluentui/react-components';
import { ArrowDownRegular, ArrowUpRegular, DeleteRegular, Dismiss24Regular, EditRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { api, errorText, formatDate } from '../../api.js';
import { Dl } from '../../components/Dl.js';
import { useNotify, useSession } from '../../session.js';
import { ACTIONS, FORWARDING, limitError, limitText } from './labels.js';
import { SettingsForm } from './SettingsForm.js';
import { useStyles } from './styles.js';
import type { Policy, Rule, Settings, WhatIf } from './types.js';
import { WhatIfResult, type WhatIfState } from './WhatIfResult.js';

export function PolicyFlyout({
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
  // Only the newest preview may show: an older replay answering late is dropped and aborted.
  const previewing = useRef<AbortController | null>(null);
  useEffect(() => () => previewing.current?.abort(), []);
  const preview = (): void => {
    previewing.current?.abort();
    const mine = new AbortController();
    previewing.current = mine;
    setWhatIf({ kind: 'loading' });
    const { AutoForwardingMode: _f, ...limits } = settings;
    api<WhatIf>('POST', '/api/v1/outbound-policies/what-if', { Policy: policy.Name, Settings: limits }, mine.signal).then(
      (result) => previewing.current === mine && setWhatIf({ kind: 'ok', result }),
      (err: unknown) => previewing.current === mine && setWhatIf({ kind: 'error', message: errorText(err) }),
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

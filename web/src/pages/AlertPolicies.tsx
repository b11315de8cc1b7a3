// Alert policy (/alertpolicies): the Threat management policies with search and sort; a row opens the
// policy's flyout (Status toggle, recipients, daily notification limit) and its Edit policy wizard:
// Decide if you want to notify people when this alert is triggered → Review your settings → Submit → Done.
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  Button,
  Checkbox,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Dropdown,
  Field,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  OverlayDrawer,
  SearchBox,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DeleteRegular, Dismiss24Regular, EditRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { api, errorText, formatDate } from '../api.js';
import { navigate } from '../router.js';
import { ErrorState, EmptyState, LoadingState } from '../components/States.js';
import { Bar, Grow, PageHeader, Scroll, useSort } from '../components/Toolbar.js';
import { Wizard } from '../components/Wizard.js';
import { RecipientsPicker, useRecipientSuggestions } from '../components/RecipientsPicker.js';
import { useNotify, useSession } from '../session.js';
import { useLoad } from '../hooks/use-load.js';
import { AlertWebhooks } from '../components/AlertWebhooks.js';
import { NewAlertPolicyWizard } from '../components/NewAlertPolicy.js';

export interface AlertPolicy {
  Identity: string;
  Name: string;
  Category: 'ThreatManagement';
  Severity: 'High' | 'Medium' | 'Low' | 'Informational';
  Description: string;
  IsSystemRule: boolean;
  Disabled: boolean;
  Event: string;
  NotificationEnabled: boolean;
  NotifyUser: string[];
  DailyNotificationLimit: number | null;
  AggregationMinutes: number;
  TenantId: string;
  WhenChanged: string;
  /** The addresses NotifyUser resolves to now (empty: the email goes to no one). */
  Recipients: string[];
  UnresolvedRecipients: Array<{ Name: string; Reason: string }>;
}

const LIMITS: Array<number | null> = [null, 1, 5, 10, 25, 50, 150, 200];
const limitText = (n: number | null): string => (n === null ? 'No limit' : String(n));
export const SEVERITY_COLOR = { High: 'danger', Medium: 'warning', Low: 'informative', Informational: 'subtle' } as const;

const useStyles = makeStyles({
  table: { minWidth: '760px', tableLayout: 'auto' },
  row: { cursor: 'pointer' },
  name: { fontWeight: tokens.fontWeightSemibold, textAlign: 'left' },
  dl: { display: 'grid', gridTemplateColumns: 'minmax(150px, max-content) 1fr', gap: '6px 16px', margin: '8px 0' },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  top: { display: 'flex', gap: '12px', alignItems: 'center', flexWrap: 'wrap', marginBottom: '12px' },
  form: { display: 'flex', flexDirection: 'column', gap: '16px', maxWidth: '560px' },
  tags: { display: 'flex', flexWrap: 'wrap', gap: '4px', marginBottom: '4px' },
});

export function AuditOffBanner() {
  return (
    <MessageBar intent="warning" style={{ marginBottom: 8 }} data-testid="audit-off">
      <MessageBarBody>
        <MessageBarTitle>Audit logging is off</MessageBarTitle>
        For alerts to work, audit logging must be turned on. No alert fires while it is off.{' '}
        <Link
          href="/settings"
          onClick={(e) => {
            e.preventDefault();
            navigate('/settings');
          }}
        >
          Turn it on in Settings
        </Link>
      </MessageBarBody>
    </MessageBar>
  );
}

/** alerts.smtp.host is not set: alert email is kept in the outbox, not sent. */
export function SmtpOffBanner() {
  return (
    <MessageBar intent="warning" style={{ marginBottom: 8 }} data-testid="smtp-off">
      <MessageBarBody>
        <MessageBarTitle>Alert email is not sent</MessageBarTitle>
        No SMTP server is configured for alert email (alerts.smtp.host), so email notifications wait in the outbox until the operator
        sets one. Webhooks still post.
      </MessageBarBody>
    </MessageBar>
  );
}

/** Says when "Email notifications On" reaches no one, or not everyone it names, and why. */
function RecipientsWarning({ policy }: { policy: AlertPolicy }) {
  const { canAdminister } = useSession();
  if (!policy.NotificationEnabled || policy.UnresolvedRecipients.length === 0) return null;
  const nobody = policy.Recipients.length === 0;
  return (
    <MessageBar intent={nobody ? 'error' : 'warning'} layout="multiline" data-testid="recipients-warning" style={{ marginBottom: 8 }}>
      <MessageBarBody>
        <MessageBarTitle>{nobody ? 'Email notifications go to no one' : 'Some recipients get no email'}</MessageBarTitle>
        {policy.UnresolvedRecipients.map((u) => `${u.Name}: ${u.Reason}`).join(' ')}{' '}
        {canAdminister ? (
          <Link
            href="/settings"
            onClick={(e) => {
              e.preventDefault();
              navigate('/settings');
            }}
          >
            Set account email in Settings
          </Link>
        ) : (
          'A Global Administrator can set account email in Settings.'
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

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

function EditPolicyWizard({ policy, onClose, onSaved }: { policy: AlertPolicy; onClose: () => void; onSaved: () => void }) {
  const s = useStyles();
  const notify = useNotify();
  const { canAdminister } = useSession();
  const [step, setStep] = useState(0);
  const [optIn, setOptIn] = useState(policy.NotificationEnabled);
  const [recipients, setRecipients] = useState(policy.NotifyUser);
  const [limit, setLimit] = useState<number | null>(policy.DailyNotificationLimit);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const suggestions = useRecipientSuggestions(canAdminister);
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api('PATCH', `/api/v1/alert-policies/${encodeURIComponent(policy.Identity)}`, {
        NotificationEnabled: optIn,
        NotifyUser: recipients,
        DailyNotificationLimit: limit,
      });
      notify.success(
        'Alert policy updated',
        `${policy.Name}: ${optIn ? `${recipients.join(', ') || 'no one'}, ${limitText(limit).toLowerCase()} a day` : 'email notifications off'}.`,
      );
      setDone(true);
      onSaved();
    } catch (err) {
      setError(errorText(err));
      notify.error(err, 'The alert policy was not updated');
    } finally {
      setBusy(false);
    }
  };
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
            <Dl
              rows={[
                ['Name', policy.Name],
                ['Severity', policy.Severity],
                ['Email notifications', optIn ? 'On' : 'Off'],
                ['Email recipients', recipients.join(', ') || '—'],
                ['Daily notification limit', limitText(limit)],
              ]}
            />
          ),
        },
      ]}
    />
  );
}

function PolicyFlyout({ policy, onClose, onChanged }: { policy: AlertPolicy; onClose: () => void; onChanged: () => void }) {
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

interface PolicyList {
  auditEnabled: boolean;
  smtpConfigured: boolean;
  items: AlertPolicy[];
}

export function AlertPolicies() {
  const s = useStyles();
  const [search, setSearch] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const { canChange } = useSession();
  const { state: load, reload: refresh } = useLoad((signal) => api<PolicyList>('GET', '/api/v1/alert-policies', undefined, signal), 'policies');
  const items = load.kind === 'ok' ? load.data.items : [];
  const needle = search.trim().toLowerCase();
  const shown = items.filter((p) => !needle || p.Name.toLowerCase().includes(needle) || p.Description.toLowerCase().includes(needle));
  const order = { High: 0, Medium: 1, Low: 2, Informational: 3 };
  const { sorted, headerProps } = useSort(
    shown,
    {
      name: (p) => p.Name,
      severity: (p) => order[p.Severity],
      type: (p) => (p.IsSystemRule ? 'System' : 'Custom'),
      status: (p) => (p.Disabled ? 'Off' : 'On'),
      modified: (p) => p.WhenChanged,
    },
    { column: 'name', dir: 'ascending' },
  );
  const open = items.find((p) => p.Identity === openId);
  return (
    <>
      <PageHeader title="Alert policy">
        Alerts tell admins when a user or a connector is restricted, goes over a limit, or sends suspiciously. Built-in policies can be
        turned on or off, and their recipients and daily notification limit changed; custom ones can also be added and deleted.
      </PageHeader>
      {load.kind === 'ok' && !load.data.auditEnabled ? <AuditOffBanner /> : null}
      {load.kind === 'ok' && !load.data.smtpConfigured ? <SmtpOffBanner /> : null}
      <Bar>
        {canChange ? (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
            New alert policy
          </Button>
        ) : null}
        <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void refresh()}>
          Refresh
        </Button>
        <Text size={200}>{load.kind === 'ok' ? `${shown.length} ${shown.length === 1 ? 'item' : 'items'}` : ''}</Text>
        <Grow />
        <SearchBox placeholder="Search" aria-label="Search" value={search} onChange={(_e, d) => setSearch(d.value)} />
      </Bar>
      {load.kind === 'loading' ? <LoadingState label="Loading alert policies…" /> : null}
      {load.kind === 'error' ? <ErrorState message={load.message} onRetry={() => void refresh()} /> : null}
      {load.kind === 'ok' && shown.length === 0 ? <EmptyState title="Nothing matches" body="No alert policy matches the search." /> : null}
      {load.kind === 'ok' && shown.length > 0 ? (
        <Scroll>
          <Table sortable aria-label="Threat management alert policies" className={s.table}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell {...headerProps('name')}>Name</TableHeaderCell>
                <TableHeaderCell {...headerProps('severity')}>Severity</TableHeaderCell>
                <TableHeaderCell {...headerProps('type')}>Type</TableHeaderCell>
                <TableHeaderCell scope="col">Category</TableHeaderCell>
                <TableHeaderCell {...headerProps('status')}>Status</TableHeaderCell>
                <TableHeaderCell {...headerProps('modified')}>Last modified</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {sorted.map((p) => (
                <TableRow key={p.Identity} className={s.row} onClick={() => setOpenId(p.Identity)} data-alert-policy={p.Name}>
                  <TableCell>
                    <Button appearance="transparent" className={s.name} onClick={(e) => (e.stopPropagation(), setOpenId(p.Identity))}>
                      {p.Name}
                    </Button>
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={SEVERITY_COLOR[p.Severity]}>
                      {p.Severity}
                    </Badge>
                  </TableCell>
                  <TableCell>{p.IsSystemRule ? 'System' : 'Custom'}</TableCell>
                  <TableCell>Threat management</TableCell>
                  <TableCell>{p.Disabled ? 'Off' : 'On'}</TableCell>
                  <TableCell>{formatDate(p.WhenChanged)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Scroll>
      ) : null}
      {load.kind === 'ok' ? <AlertWebhooks /> : null}
      {open ? <PolicyFlyout key={open.Identity} policy={open} onClose={() => setOpenId(null)} onChanged={() => void refresh()} /> : null}
      {creating ? <NewAlertPolicyWizard onClose={() => setCreating(false)} onCreated={() => void refresh()} /> : null}
    </>
  );
}

// Settings (/settings): audit logging on or off, accepted domains, inbound connectors, the tenant limit
// (settings/TenantLimits.tsx), Send As grants
// (components/SendAsGrants.tsx), and admin accounts (components/AdminAccounts.tsx; only for a Global Administrator). Read-only roles see the
// values and no control that would fail for them.
import {
  Badge,
  Button,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Switch,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText, formatDate } from '../api.js';
import { ErrorState, ListState, LoadingState } from '../components/States.js';
import { useList } from '../hooks/use-list.js';
import { AdminAccounts } from '../components/AdminAccounts.js';
import { SendAsGrants } from '../components/SendAsGrants.js';
import { TabStrip } from '../components/TabStrip.js';
import { TenantLimits } from './settings/TenantLimits.js';
import { PageHeader, Scroll } from '../components/Toolbar.js';
import { useNotify, useSession } from '../session.js';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
  form: { display: 'flex', flexWrap: 'wrap', gap: '12px', alignItems: 'flex-end' },
  field: { minWidth: '180px', '@media (max-width: 760px)': { minWidth: '100%' } },
  table: { minWidth: '640px', tableLayout: 'auto' },
  wrap: { overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  inline: { display: 'flex', gap: '4px', alignItems: 'center', minWidth: '220px' },
});

function AuditSettings() {
  const { canAdminister } = useSession();
  const notify = useNotify();
  const [config, setConfig] = useState<{ UnifiedAuditLogIngestionEnabled: boolean; Note?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ UnifiedAuditLogIngestionEnabled: boolean; Note?: string }>('GET', '/api/v1/audit/settings').then(setConfig, (e: unknown) =>
      setError(errorText(e)),
    );
  }, []);
  const s = useStyles();
  if (error) return <ErrorState message={error} />;
  if (!config) return <LoadingState label="Loading…" />;
  const on = config.UnifiedAuditLogIngestionEnabled;
  return (
    <div className={s.section}>
      <Text>Every change is recorded when audit logging is on. Alerts need it: while it is off, no alert can fire.</Text>
      {canAdminister ? (
        <Switch
          label={on ? 'Audit logging is on' : 'Audit logging is off'}
          checked={on}
          disabled={busy}
          onChange={(_e, d) => {
            setBusy(true);
            api<{ UnifiedAuditLogIngestionEnabled: boolean; Note?: string }>('PUT', '/api/v1/audit/settings', {
              UnifiedAuditLogIngestionEnabled: d.checked,
            })
              .then((c) => {
                setConfig(c);
                notify.success(c.UnifiedAuditLogIngestionEnabled ? 'Audit logging turned on' : 'Audit logging turned off', c.Note);
              }, notify.error)
              .finally(() => setBusy(false));
          }}
        />
      ) : (
        <Text weight="semibold">{on ? 'Audit logging is on.' : 'Audit logging is off.'} Only a Global Administrator can change it.</Text>
      )}
      {!on ? (
        <MessageBar intent="warning">
          <MessageBarBody>{config.Note ?? 'Nothing is recorded and alerts cannot fire.'}</MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}

interface Domain {
  Id: string;
  Name: string;
  DomainName: string;
  WhenCreatedUTC: string;
}
function Domains() {
  const s = useStyles();
  const { canChange, account } = useSession();
  // A domain decides which tenant a login belongs to, service-wide: only the provider adds them.
  const canAdd = canChange && account.tenantId === null;
  const { state, refresh, act } = useList<Domain>('/api/v1/accepted-domains');
  const [domain, setDomain] = useState('');
  const add = (e: FormEvent): void => {
    e.preventDefault();
    void act('Accepted domain added', () => api('POST', '/api/v1/accepted-domains', { DomainName: domain.trim() })).then(
      (ok) => ok && setDomain(''),
    );
  };
  return (
    <div className={s.section}>
      <Text>Recipients in these domains are internal; a login in one of them belongs to this tenant.</Text>
      {canChange && !canAdd ? (
        <Text data-testid="domains-by-provider">Your provider assigns accepted domains: ask a provider-level administrator to add one.</Text>
      ) : null}
      {canAdd ? (
        <form className={s.form} onSubmit={add}>
          <Field label="Domain" className={s.field}>
            <Input value={domain} onChange={(_e, d) => setDomain(d.value)} placeholder="contoso.com" />
          </Field>
          <Button type="submit" icon={<AddRegular />} disabled={!domain.trim()}>
            Add domain
          </Button>
        </form>
      ) : null}
      <ListState state={state} retry={() => void refresh()} empty="No accepted domains">
        {(items) => (
          <Scroll>
            <Table aria-label="Accepted domains" className={s.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">Domain</TableHeaderCell>
                  <TableHeaderCell scope="col">Name</TableHeaderCell>
                  <TableHeaderCell scope="col">Added</TableHeaderCell>
                  {canChange ? <TableHeaderCell scope="col">Actions</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((d) => (
                  <TableRow key={d.Id}>
                    <TableCell className={s.wrap}>{d.DomainName}</TableCell>
                    <TableCell className={s.wrap}>{d.Name}</TableCell>
                    <TableCell>{formatDate(d.WhenCreatedUTC)}</TableCell>
                    {canChange ? (
                      <TableCell>
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={`Remove ${d.DomainName}`}
                          onClick={() =>
                            void act('Accepted domain removed', () => api('DELETE', `/api/v1/accepted-domains/${encodeURIComponent(d.Id)}`))
                          }
                        >
                          Remove
                        </Button>
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Scroll>
        )}
      </ListState>
    </div>
  );
}

interface Connector {
  Id: string;
  Name: string;
  SenderIPAddresses: string[];
  Enabled: boolean;
  RecipientLimitExternalPerHour: number;
  RecipientLimitInternalPerHour: number;
  RecipientLimitPerDay: number;
}
function Connectors() {
  const s = useStyles();
  const { canChange } = useSession();
  const { state, refresh, act } = useList<Connector>('/api/v1/inbound-connectors');
  const [name, setName] = useState('');
  const [ips, setIps] = useState('');
  const add = (e: FormEvent): void => {
    e.preventDefault();
    const SenderIPAddresses = ips.split(/[\s,;]+/).filter(Boolean);
    void act('Inbound connector added', () => api('POST', '/api/v1/inbound-connectors', { Name: name.trim(), SenderIPAddresses })).then(
      (ok) => ok && (setName(''), setIps('')),
    );
  };
  return (
    <div className={s.section}>
      <Text>Unauthenticated mail from a connector's addresses is counted, limited and restricted as that connector.</Text>
      {canChange ? (
        <form className={s.form} onSubmit={add}>
          <Field label="Connector name" className={s.field}>
            <Input value={name} onChange={(_e, d) => setName(d.value)} />
          </Field>
          <Field label="Sender IP addresses" className={s.field} hint="Comma-separated addresses or CIDR ranges">
            <Input value={ips} onChange={(_e, d) => setIps(d.value)} placeholder="192.0.2.0/24" />
          </Field>
          <Button type="submit" icon={<AddRegular />} disabled={!name.trim() || !ips.trim()}>
            Add connector
          </Button>
        </form>
      ) : null}
      <ListState state={state} retry={() => void refresh()} empty="No inbound connectors">
        {(items) => (
          <Scroll>
            <Table aria-label="Inbound connectors" className={s.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">Name</TableHeaderCell>
                  <TableHeaderCell scope="col">Sender IP addresses</TableHeaderCell>
                  <TableHeaderCell scope="col">Limits (external/h, internal/h, day)</TableHeaderCell>
                  <TableHeaderCell scope="col">Status</TableHeaderCell>
                  {canChange ? <TableHeaderCell scope="col">Actions</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((c) => (
                  <TableRow key={c.Id}>
                    <TableCell className={s.wrap}>{c.Name}</TableCell>
                    <TableCell className={s.wrap}>{c.SenderIPAddresses.join(', ')}</TableCell>
                    <TableCell>
                      {c.RecipientLimitExternalPerHour}, {c.RecipientLimitInternalPerHour}, {c.RecipientLimitPerDay}
                    </TableCell>
                    <TableCell>
                      {canChange ? (
                        <Switch
                          checked={c.Enabled}
                          label={c.Enabled ? 'On' : 'Off'}
                          aria-label={`${c.Name} on or off`}
                          onChange={(_e, d) =>
                            void act(d.checked ? 'Connector turned on' : 'Connector turned off', () =>
                              api('PATCH', `/api/v1/inbound-connectors/${encodeURIComponent(c.Id)}`, { Enabled: d.checked }),
                            )
                          }
                        />
                      ) : (
                        <Badge appearance="tint" color={c.Enabled ? 'success' : 'subtle'}>
                          {c.Enabled ? 'On' : 'Off'}
                        </Badge>
                      )}
                    </TableCell>
                    {canChange ? (
                      <TableCell>
                        <Button
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={`Remove ${c.Name}`}
                          onClick={() =>
                            void act('Connector removed', () => api('DELETE', `/api/v1/inbound-connectors/${encodeURIComponent(c.Id)}`))
                          }
                        >
                          Remove
                        </Button>
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Scroll>
        )}
      </ListState>
    </div>
  );
}

export function Settings() {
  const { canAdminister } = useSession();
  const [tab, setTab] = useState('audit');
  return (
    <>
      <PageHeader title="Settings" />
      <TabStrip selectedValue={tab} onTabSelect={(_e, d) => setTab(String(d.value))} aria-label="Settings">
        <Tab value="audit" tabIndex={tab === 'audit' ? 0 : -1}>
          Audit logging
        </Tab>
        <Tab value="domains" tabIndex={tab === 'domains' ? 0 : -1}>
          Accepted domains
        </Tab>
        <Tab value="connectors" tabIndex={tab === 'connectors' ? 0 : -1}>
          Inbound connectors
        </Tab>
        <Tab value="tenant" tabIndex={tab === 'tenant' ? 0 : -1}>
          Tenant limit
        </Tab>
        <Tab value="sendas" tabIndex={tab === 'sendas' ? 0 : -1}>
          Send As
        </Tab>
        {canAdminister ? (
          <Tab value="accounts" tabIndex={tab === 'accounts' ? 0 : -1}>
            Admin accounts and roles
          </Tab>
        ) : null}
      </TabStrip>
      {tab === 'audit' ? <AuditSettings /> : null}
      {tab === 'domains' ? <Domains /> : null}
      {tab === 'connectors' ? <Connectors /> : null}
      {tab === 'tenant' ? <TenantLimits /> : null}
      {tab === 'sendas' ? <SendAsGrants /> : null}
      {tab === 'accounts' && canAdminister ? <AdminAccounts /> : null}
    </>
  );
}

// Settings (/settings): one tab per thing an admin sets, each in pages/settings/: audit logging, accepted
// domains, inbound connectors, the tenant limit, Send As grants, and admin accounts (only for a Global
// Administrator). Read-only roles see the values and no control that would fail for them.
import { Tab } from '@fluentui/react-components';
import { useState } from 'react';
import { TabStrip } from '../components/TabStrip.js';
import { PageHeader } from '../components/Toolbar.js';
import { useSession } from '../session.js';
import { AdminAccounts } from './settings/AdminAccounts.js';
import { AuditSettings } from './settings/AuditSettings.js';
import { Connectors } from './settings/Connectors.js';
import { Domains } from './settings/Domains.js';
import { SendAsGrants } from './settings/SendAsGrants.js';
import { TenantLimits } from './settings/TenantLimits.js';

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

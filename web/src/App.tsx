// The portal shell: sign-in, the header with the account menu and (for provider admins) the tenant
// switcher, the navigation, and the page for the current path.
import {
  Avatar,
  Button,
  Dropdown,
  makeStyles,
  mergeClasses,
  Menu,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Option,
  Spinner,
  Text,
  Toaster,
  tokens,
} from '@fluentui/react-components';
import {
  AlertRegular,
  DocumentSearchRegular,
  LineHorizontal3Regular,
  MailProhibitedRegular,
  PersonProhibitedRegular,
  PersonRegular,
  SettingsRegular,
  ShieldRegular,
  SignOutRegular,
  DataTrendingRegular,
} from '@fluentui/react-icons';
import { lazy, Suspense, useCallback, useEffect, useState, type JSX, type ReactNode } from 'react';
import { api, setCsrf, setSignedOutHandler, setTenant, type PortalConfig, type SessionInfo } from './api.js';
import { navigate, replaceAddress, usePath } from './router.js';
import { SessionContext, TOASTER_ID, useNotify, type Session } from './session.js';
import { SignIn } from './pages/SignIn.js';
import { NotFound } from './pages/NotFound.js';

// One chunk per page, fetched when first opened: the first page loads only its own code.
const RestrictedEntities = lazy(() => import('./pages/RestrictedEntities.js').then((m) => ({ default: m.RestrictedEntities })));
const AntiSpam = lazy(() => import('./pages/AntiSpam.js').then((m) => ({ default: m.AntiSpam })));
const SendingActivity = lazy(() => import('./pages/SendingActivity.js').then((m) => ({ default: m.SendingActivity })));
const AuditLog = lazy(() => import('./pages/AuditLog.js').then((m) => ({ default: m.AuditLog })));
const Settings = lazy(() => import('./pages/Settings.js').then((m) => ({ default: m.Settings })));
const AlertPolicies = lazy(() => import('./pages/AlertPolicies.js').then((m) => ({ default: m.AlertPolicies })));
const Alerts = lazy(() => import('./pages/Alerts.js').then((m) => ({ default: m.Alerts })));

const useStyles = makeStyles({
  shell: { display: 'flex', flexDirection: 'column', minHeight: '100vh' },
  header: {
    display: 'flex',
    minWidth: 0,
    alignItems: 'center',
    gap: '12px',
    height: '48px',
    padding: '0 12px',
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    flexShrink: 0,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, color: tokens.colorNeutralForegroundOnBrand },
  spacer: { flexGrow: 1 },
  onBrand: { color: tokens.colorNeutralForegroundOnBrand },
  account: { color: tokens.colorNeutralForegroundOnBrand, minWidth: 0, flexShrink: 0 },
  menuButton: { color: tokens.colorNeutralForegroundOnBrand, display: 'none', '@media (max-width: 760px)': { display: 'inline-flex' } },
  tenant: { minWidth: '160px', '@media (max-width: 760px)': { minWidth: '110px', maxWidth: '130px' } },
  body: { display: 'flex', flexGrow: 1, minHeight: 0 },
  nav: {
    width: '220px',
    flexShrink: 0,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    padding: '8px 4px',
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    '@media (max-width: 760px)': { display: 'none' },
  },
  navOpen: {
    '@media (max-width: 760px)': {
      display: 'flex',
      position: 'fixed',
      top: '48px',
      bottom: 0,
      left: 0,
      zIndex: 10,
      boxShadow: tokens.shadow16,
    },
  },
  navItem: { justifyContent: 'flex-start', width: '100%', fontWeight: tokens.fontWeightRegular },
  navActive: { backgroundColor: tokens.colorNeutralBackground1Selected, fontWeight: tokens.fontWeightSemibold },
  main: { flexGrow: 1, minWidth: 0, padding: '16px 24px', '@media (max-width: 760px)': { padding: '12px' } },
  hideNarrow: { '@media (max-width: 760px)': { display: 'none' } },
  center: { display: 'flex', justifyContent: 'center', alignItems: 'center', minHeight: '60vh' },
});

export const PAGES: Array<{ path: string; title: string; icon: JSX.Element }> = [
  { path: '/restrictedentities', title: 'Restricted entities', icon: <PersonProhibitedRegular /> },
  { path: '/alertpolicies', title: 'Alert policy', icon: <ShieldRegular /> },
  { path: '/alerts', title: 'Alerts', icon: <AlertRegular /> },
  { path: '/antispam', title: 'Anti-spam policies', icon: <MailProhibitedRegular /> },
  { path: '/sendingactivity', title: 'Sending activity', icon: <DataTrendingRegular /> },
  { path: '/auditlog', title: 'Audit log', icon: <DocumentSearchRegular /> },
  { path: '/settings', title: 'Settings', icon: <SettingsRegular /> },
];

type State = { kind: 'loading' } | { kind: 'signedOut' } | { kind: 'signedIn'; info: SessionInfo; config: PortalConfig };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const path = usePath();

  const load = useCallback(async () => {
    try {
      const info = await api<SessionInfo>('GET', '/api/v1/session');
      setCsrf(info.csrfToken);
      const config = await api<PortalConfig>('GET', '/api/v1/portal-config');
      setState({ kind: 'signedIn', info, config });
    } catch {
      setState({ kind: 'signedOut' });
    }
  }, []);

  useEffect(() => {
    setSignedOutHandler(() => setState({ kind: 'signedOut' }));
    void load();
  }, [load]);

  // /restrictedusers, /RestrictedEntities, …: the address bar shows the page's own path.
  useEffect(() => {
    if (location.pathname !== path) replaceAddress(path + location.search);
  }, [path]);

  useEffect(() => {
    if (state.kind === 'signedOut' && path !== '/signin') {
      const back = path === '/' ? '' : `?return=${encodeURIComponent(path + location.search)}`;
      history.replaceState(null, '', `/signin${back}`);
      dispatchEvent(new PopStateEvent('popstate'));
    }
    if (state.kind === 'signedIn' && (path === '/signin' || path === '/')) {
      const ret = new URLSearchParams(location.search).get('return');
      navigate(ret && ret.startsWith('/') && !ret.startsWith('//') ? ret : '/restrictedentities');
    }
  }, [state.kind, path]);

  let content: ReactNode;
  if (state.kind === 'loading') content = <Spinner label="Loading Outgate…" style={{ marginTop: '30vh' }} />;
  else if (state.kind === 'signedOut') content = <SignIn onSignedIn={() => void load()} />;
  else content = <Shell info={state.info} config={state.config} path={path} onSignOut={() => setState({ kind: 'signedOut' })} />;
  return (
    <>
      {/* Bottom corner: a toast at the top covered the account button. */}
      <Toaster toasterId={TOASTER_ID} position="bottom-end" pauseOnHover pauseOnWindowBlur />
      {content}
    </>
  );
}

function Shell({ info, config, path, onSignOut }: { info: SessionInfo; config: PortalConfig; path: string; onSignOut: () => void }) {
  const s = useStyles();
  const notify = useNotify();
  const [navOpen, setNavOpen] = useState(false);
  const [tenants, setTenants] = useState<Array<{ Id: string; Name: string }>>([]);
  // The tenant picked is in the address (?tenant=), so a reload or a shared link keeps it.
  const [tenant, setTenantState] = useState<string | undefined>(() => {
    const t = info.account.tenantId === null ? (new URLSearchParams(location.search).get('tenant') ?? undefined) : undefined;
    setTenant(t);
    return t;
  });
  const provider = info.account.tenantId === null;
  const pick = (t: string | undefined): void => {
    setTenant(t);
    setTenantState(t);
    const q = new URLSearchParams(location.search);
    if (t) q.set('tenant', t);
    else q.delete('tenant');
    replaceAddress(`${location.pathname}${q.size ? `?${q.toString()}` : ''}`);
  };
  const withTenantQuery = (p: string): string => (tenant ? `${p}?tenant=${encodeURIComponent(tenant)}` : p);

  useEffect(() => {
    if (!provider) return;
    api<Array<{ Id: string; Name: string }>>('GET', '/api/v1/tenants').then(setTenants, () => setTenants([]));
  }, [provider]);

  const session: Session = {
    account: info.account,
    config,
    tenant,
    tenantName: (id) => (id === null ? 'Provider' : (tenants.find((t) => t.Id === id)?.Name ?? info.account.tenantName ?? id)),
    allTenants: provider && !tenant && tenants.length > 1,
  };
  const page = PAGES.find((p) => p.path === path);

  useEffect(() => {
    document.title = page ? `${page.title} - Outgate` : 'Outgate';
  }, [page]);

  const signOut = async (): Promise<void> => {
    try {
      await api('DELETE', '/api/v1/session');
      setCsrf('');
      onSignOut();
    } catch (err) {
      notify.error(err, 'Sign-out failed');
    }
  };

  const tenantLabel =
    info.account.tenantName ?? (tenant ? (tenants.find((t) => t.Id === tenant)?.Name ?? tenant) : 'All tenants (provider)');
  return (
    <SessionContext.Provider value={session}>
      <div className={s.shell}>
        <header className={s.header}>
          <Button
            className={s.menuButton}
            appearance="transparent"
            icon={<LineHorizontal3Regular />}
            aria-label="Navigation"
            aria-expanded={navOpen}
            onClick={() => setNavOpen((o) => !o)}
          />
          <span className={s.brand}>Outgate</span>
          <Text className={mergeClasses(s.onBrand, s.hideNarrow)} size={200}>
            Outbound mail protection
          </Text>
          <span className={s.spacer} />
          {provider && tenants.length > 0 ? (
            <Dropdown
              className={s.tenant}
              aria-label="Tenant"
              size="small"
              value={tenant ? (tenants.find((t) => t.Id === tenant)?.Name ?? tenant) : 'All tenants'}
              selectedOptions={[tenant ?? '']}
              onOptionSelect={(_e, d) => {
                const t = d.optionValue || undefined;
                pick(t);
                notify.success(
                  t ? `Now acting in ${d.optionText ?? t}` : 'Showing all tenants',
                  t ? undefined : 'Changes you make go to the default tenant.',
                );
              }}
            >
              <Option value="">All tenants</Option>
              {tenants.map((t) => (
                <Option key={t.Id} value={t.Id} text={t.Name}>
                  {t.Name}
                </Option>
              ))}
            </Dropdown>
          ) : null}
          <Menu positioning="below-end">
            <MenuTrigger disableButtonEnhancement>
              <Button
                appearance="transparent"
                className={s.account}
                aria-label={`Account: ${info.account.displayName}, ${info.account.role}`}
                // A person, not initials: visible text ("GA") missing from the name fails WCAG 2.5.3 (label in name).
                icon={<Avatar idForColor={info.account.name} icon={<PersonRegular />} size={28} color="colorful" aria-hidden />}
              >
                <span className={s.hideNarrow}>{info.account.displayName}</span>
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuGroup>
                  <MenuGroupHeader>{info.account.name}</MenuGroupHeader>
                  <MenuItem disabled data-testid="account-role">
                    Role: {info.account.role}
                  </MenuItem>
                  <MenuItem disabled data-testid="account-tenant">
                    Tenant: {tenantLabel}
                  </MenuItem>
                </MenuGroup>
                <MenuDivider />
                <MenuItem icon={<SignOutRegular />} onClick={() => void signOut()}>
                  Sign out
                </MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        </header>
        <div className={s.body}>
          <nav className={mergeClasses(s.nav, navOpen && s.navOpen)} aria-label="Portal">
            {PAGES.map((p) => (
              <Button
                key={p.path}
                as="a"
                href={withTenantQuery(p.path)}
                appearance="subtle"
                icon={p.icon}
                className={mergeClasses(s.navItem, p.path === path && s.navActive)}
                aria-current={p.path === path ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  setNavOpen(false);
                  navigate(withTenantQuery(p.path));
                }}
              >
                {p.title}
              </Button>
            ))}
          </nav>
          <main className={s.main} key={`${path}|${tenant ?? ''}`}>
            <Suspense fallback={<Spinner label="Loading…" />}>{renderPage(path)}</Suspense>
          </main>
        </div>
      </div>
    </SessionContext.Provider>
  );
}

function renderPage(path: string): ReactNode {
  switch (path) {
    case '/restrictedentities':
      return <RestrictedEntities />;
    case '/antispam':
      return <AntiSpam />;
    case '/sendingactivity':
      return <SendingActivity />;
    case '/auditlog':
      return <AuditLog />;
    case '/settings':
      return <Settings />;
    case '/alertpolicies':
      return <AlertPolicies />;
    case '/alerts':
      return <Alerts />;
    case '/signin':
    case '/':
      return <Spinner label="Opening…" />;
    default:
      return <NotFound />;
  }
}

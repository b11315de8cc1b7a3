// Who is signed in, where their links go, and the toasts every action reports to.
import { Toast, ToastBody, ToastTitle, useToastController } from '@fluentui/react-components';
import { createContext, useCallback, useContext } from 'react';
import type { Account, PortalConfig } from './api.js';
import { canAdminister, canChange, errorText } from './api.js';

export interface Session {
  account: Account;
  config: PortalConfig;
  /** The tenant a provider admin acts in (undefined: their default). */
  tenant: string | undefined;
  /** A tenant's name for its id (null: the provider). */
  tenantName: (id: string | null) => string;
  /** A provider admin looking at every tenant at once: lists show a Tenant column. */
  allTenants: boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session & { canChange: boolean; canAdminister: boolean } {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in portal');
  return { ...s, canChange: canChange(s.account.role), canAdminister: canAdminister(s.account.role) };
}

export const TOASTER_ID = 'outgate-toaster';

/** notify.success('Title', 'details'); notify.error(err) shows the API's sentence, never a stack. */
export function useNotify() {
  const { dispatchToast } = useToastController(TOASTER_ID);
  const success = useCallback(
    (title: string, body?: string) =>
      dispatchToast(
        <Toast>
          <ToastTitle>{title}</ToastTitle>
          {body ? <ToastBody>{body}</ToastBody> : null}
        </Toast>,
        { intent: 'success', timeout: 6000 },
      ),
    [dispatchToast],
  );
  const error = useCallback(
    (err: unknown, title = 'That did not work') =>
      dispatchToast(
        <Toast>
          <ToastTitle>{title}</ToastTitle>
          <ToastBody>{errorText(err)}</ToastBody>
        </Toast>,
        { intent: 'error', timeout: 10000 },
      ),
    [dispatchToast],
  );
  return { success, error };
}

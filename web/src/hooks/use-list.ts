// A list of one API path with an action runner that toasts and refreshes: the Settings tabs' shape.
import { api } from '../api.js';
import { useNotify } from '../session.js';
import { useLoad } from './use-load.js';

/** Loads a list (useLoad: cancellable), and an action runner that toasts and refreshes. */
export function useList<T>(path: string) {
  const { state, reload: refresh } = useLoad((signal) => api<T[]>('GET', path, undefined, signal), path);
  const notify = useNotify();
  const act = async (done: string, f: () => Promise<unknown>, details?: string): Promise<boolean> => {
    try {
      await f();
      notify.success(done, details);
      await refresh();
      return true;
    } catch (err) {
      notify.error(err);
      return false;
    }
  };
  return { state, refresh, act };
}

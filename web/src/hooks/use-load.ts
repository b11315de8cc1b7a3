// One loader for every list page: the loading/error/ok states, a reload, and cancellation, so an older
// answer (a slow search, a refresh) never overwrites a newer one, and nothing is set after unmount.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api.js';

export type LoadState<T> = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; data: T };

/**
 * Runs `fetcher` now and whenever `key` changes (a string of the inputs: path, search, page…). A new
 * run aborts the one in flight and only the newest may set the state; a reload keeps the data shown
 * until its answer arrives, so a list does not flash a spinner on every refresh. With `spinOnNewKey`, a
 * new key shows the spinner at once (a search whose old results must not pass for the new ones).
 */
export function useLoad<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  key: string,
  options: { spinOnNewKey?: boolean } = {},
): { state: LoadState<T>; reload: () => Promise<void> } {
  const [state, setState] = useState<LoadState<T>>({ kind: 'loading' });
  const current = useRef<AbortController | null>(null);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const reload = useCallback(async () => {
    current.current?.abort();
    const mine = new AbortController();
    current.current = mine;
    try {
      const data = await latest.current(mine.signal);
      if (current.current === mine) setState({ kind: 'ok', data });
    } catch (err) {
      if (current.current === mine) setState({ kind: 'error', message: errorText(err) });
    }
    // key is the reload's identity: a new key is a new query (fetcher is read through the ref).
  }, [key]);
  const spin = options.spinOnNewKey === true;
  useEffect(() => {
    if (spin) setState({ kind: 'loading' });
    void reload();
    return () => {
      current.current?.abort();
      current.current = null;
    };
  }, [reload]);
  return { state, reload };
}

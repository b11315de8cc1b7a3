// A wizard's final action, as every wizard runs it: busy while it goes, the API's sentence on the wizard's
// last page and a toast when it fails, and the Done page once it succeeded.
import { useState } from 'react';
import { errorText } from '../api.js';
import { useNotify } from '../session.js';

/** `run` makes the calls and says what was done (its toast); `failed` heads the toast of a failure. */
export function useFinish(failed: string) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const finish = async (run: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await run();
      setDone(true);
    } catch (err) {
      setError(errorText(err));
      notify.error(err, failed);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, finish };
}

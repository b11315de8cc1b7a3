// The unblock call both flyouts make, the note and warning around it, and the focus that follows their flow.
import { useEffect, useRef, useState } from 'react';
import { api, errorText } from '../../api.js';
import { useNotify } from '../../session.js';
import type { EntityType } from '../../types.js';

/**
 * The unblock call both flyouts make: busy while it runs, the API's sentence when it fails.
 * `settled` runs first on either outcome (the user flyout closes its warning dialog there).
 */
export function useUnblock(
  type: EntityType,
  identity: string,
  text: { title: string; body: string; failed: string },
  onDone: () => void,
  settled?: () => void,
) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (body: { reason?: string }): Promise<void> => {
    setBusy(true);
    setFailure(null);
    try {
      await api('POST', `/api/v1/restricted-entities/${type}/${encodeURIComponent(identity)}/unblock`, body);
      settled?.();
      notify.success(text.title, text.body);
      onDone();
    } catch (err) {
      settled?.();
      setFailure(errorText(err));
      notify.error(err, text.failed);
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, run };
}

/**
 * The end both flyouts share: a note, the warning asked before unblocking (its asking button gets the
 * focus back after No or Esc), and the call with the note as its reason.
 */
export function useConfirmedUnblock(
  type: EntityType,
  identity: string,
  text: { title: string; body: string; failed: string },
  onDone: () => void,
) {
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { busy, failure, run } = useUnblock(type, identity, text, onDone, () => setConfirming(false));
  const askRef = useFocusAfter<HTMLButtonElement>(confirming, !confirming);
  return {
    note,
    setNote,
    confirming,
    busy,
    failure,
    askRef,
    ask: () => setConfirming(true),
    cancel: () => setConfirming(false),
    unblock: () => void run(note.trim() ? { reason: note.trim() } : {}),
  };
}
export type UnblockFlow = ReturnType<typeof useConfirmedUnblock>;

/** Focus that follows the flow: the step heading after Next/Back, the asking button after No/Esc. */
export function useFocusAfter<T extends HTMLElement>(trigger: unknown, when = true) {
  const ref = useRef<T>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (when) ref.current?.focus();
  }, [trigger]);
  return ref;
}

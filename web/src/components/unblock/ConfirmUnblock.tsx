// The warning both flyouts ask before unblocking, and the optional note they record with it.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Spinner,
  Textarea,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';

export /** The warning both flyouts ask before unblocking; No or Esc hands focus back to the button that asked. */
function ConfirmUnblock({
  open,
  busy,
  title,
  children,
  onYes,
  onNo,
}: {
  open: boolean;
  busy: boolean;
  title: string;
  children: ReactNode;
  onYes: () => void;
  onNo: () => void;
}) {
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_e, d) => !busy && !d.open && onNo()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onYes} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
              Yes
            </Button>
            <Button onClick={onNo} disabled={busy}>
              No
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** The optional note both flyouts record with the unblock (shown in the entity's history and the audit log). */
export function UnblockNote({ value, onChange, hint }: { value: string; onChange: (v: string) => void; hint: string }) {
  return (
    <Field label="Note for the audit log (optional)" hint={hint}>
      <Textarea value={value} onChange={(_e, d) => onChange(d.value)} maxLength={1024} resize="vertical" />
    </Field>
  );
}

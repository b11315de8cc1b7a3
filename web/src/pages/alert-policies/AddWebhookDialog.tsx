// Add an alert webhook; the signing secret is in the create answer only, so the dialog then shows it once, with Copy.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Text,
  tokens,
} from '@fluentui/react-components';
import { CopyRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../../api.js';
import { useNotify } from '../../session.js';
import type { NewAlertWebhook } from '../../types.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '12px' },
  secret: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere', userSelect: 'all' },
});

export function AddWebhookDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const s = useStyles();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const add = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await api<NewAlertWebhook>('POST', '/api/v1/alert-webhooks', { Name: name.trim(), Url: url.trim() });
      setSecret(made.Secret);
      notify.success('Alert webhook added', made.Name);
      onAdded();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open modalType={secret ? 'alert' : 'modal'} onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <form onSubmit={(e) => void add(e)}>
          <DialogBody>
            <DialogTitle>{secret ? 'Copy the signing secret now' : 'Add an alert webhook'}</DialogTitle>
            <DialogContent className={s.form}>
              {secret ? (
                <>
                  <Text>
                    Each post carries a signature made with this secret (docs/alerts.md). It is shown only now: Outgate keeps no way to show
                    it again. To replace it, remove the webhook and add it again.
                  </Text>
                  <Field label="Signing secret">
                    <Input readOnly value={secret} className={s.secret} data-testid="webhook-secret" />
                  </Field>
                </>
              ) : (
                <>
                  <Field label="Name" required>
                    <Input value={name} onChange={(_e, d) => setName(d.value)} maxLength={64} />
                  </Field>
                  <Field label="URL" required hint="https://… on a public address; internal ones need alerts.webhookAllow.">
                    <Input type="url" value={url} onChange={(_e, d) => setUrl(d.value)} placeholder="https://hooks.example.com/outgate" />
                  </Field>
                  {error ? (
                    <MessageBar intent="error" role="alert">
                      <MessageBarBody>{error}</MessageBarBody>
                    </MessageBar>
                  ) : null}
                </>
              )}
            </DialogContent>
            <DialogActions>
              {secret ? (
                <>
                  <Button
                    icon={<CopyRegular />}
                    onClick={() => void navigator.clipboard?.writeText(secret).then(() => notify.success('Secret copied'), notify.error)}
                  >
                    Copy
                  </Button>
                  <Button appearance="primary" onClick={onClose}>
                    Done
                  </Button>
                </>
              ) : (
                <>
                  <Button appearance="primary" type="submit" disabled={busy || !name.trim() || !url.trim()}>
                    Add webhook
                  </Button>
                  <Button onClick={onClose}>Cancel</Button>
                </>
              )}
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

// Alert webhooks (Get-/New-/Remove-AlertWebhook): where this tenant's alerts are posted as signed JSON.
// The signing secret is in the create answer only, so the dialog shows it once, with Copy.
import {
  Badge,
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
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, CopyRegular, DeleteRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api, errorText, formatDate } from '../api.js';
import { useLoad } from '../hooks/use-load.js';
import { useNotify, useSession } from '../session.js';
import { ListState } from './States.js';
import { Scroll } from './Toolbar.js';

interface Webhook {
  Identity: string;
  Name: string;
  Url: string;
  Enabled: boolean;
  WhenCreated: string;
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '24px' },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  table: { minWidth: '640px', tableLayout: 'auto' },
  wrap: { overflowWrap: 'anywhere' },
  form: { display: 'flex', flexDirection: 'column', gap: '12px' },
  secret: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere', userSelect: 'all' },
});

function AddWebhookDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
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
      const made = await api<Webhook & { Secret: string }>('POST', '/api/v1/alert-webhooks', { Name: name.trim(), Url: url.trim() });
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
                    Each post carries a signature made with this secret (docs/alerts.md). It is shown only now: Outgate keeps no way to show it
                    again. To replace it, remove the webhook and add it again.
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
                  <Button icon={<CopyRegular />} onClick={() => void navigator.clipboard?.writeText(secret).then(() => notify.success('Secret copied'), notify.error)}>
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

export function AlertWebhooks() {
  const s = useStyles();
  const notify = useNotify();
  const { canChange } = useSession();
  const { state, reload } = useLoad((signal) => api<Webhook[]>('GET', '/api/v1/alert-webhooks', undefined, signal), 'webhooks');
  const [adding, setAdding] = useState(false);
  const remove = async (w: Webhook): Promise<void> => {
    try {
      await api('DELETE', `/api/v1/alert-webhooks/${encodeURIComponent(w.Identity)}`);
      notify.success('Alert webhook removed', w.Name);
      await reload();
    } catch (err) {
      notify.error(err);
    }
  };
  return (
    <section className={s.section} aria-labelledby="webhooks-title">
      <h2 id="webhooks-title" className={s.heading}>
        Alert webhooks
      </h2>
      <Text>Every alert in this tenant is also posted, signed, to each webhook here, whatever its email settings.</Text>
      {canChange ? (
        <div>
          <Button icon={<AddRegular />} onClick={() => setAdding(true)}>
            Add webhook
          </Button>
        </div>
      ) : null}
      <ListState state={state} retry={() => void reload()} empty="No alert webhooks">
        {(items) => (
          <Scroll>
            <Table aria-label="Alert webhooks" className={s.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">Name</TableHeaderCell>
                  <TableHeaderCell scope="col">URL</TableHeaderCell>
                  <TableHeaderCell scope="col">Status</TableHeaderCell>
                  <TableHeaderCell scope="col">Added</TableHeaderCell>
                  {canChange ? <TableHeaderCell scope="col">Actions</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((w) => (
                  <TableRow key={w.Identity} data-webhook={w.Name}>
                    <TableCell className={s.wrap}>{w.Name}</TableCell>
                    <TableCell className={s.wrap}>{w.Url}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={w.Enabled ? 'success' : 'subtle'}>
                        {w.Enabled ? 'On' : 'Off'}
                      </Badge>
                    </TableCell>
                    <TableCell>{formatDate(w.WhenCreated)}</TableCell>
                    {canChange ? (
                      <TableCell>
                        <Button size="small" icon={<DeleteRegular />} aria-label={`Remove ${w.Name}`} onClick={() => void remove(w)}>
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
      {adding ? <AddWebhookDialog onClose={() => setAdding(false)} onAdded={() => void reload()} /> : null}
    </section>
  );
}

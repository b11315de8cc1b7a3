import {
  Button,
  Card,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Title2,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { api, errorText, setCsrf, type SessionInfo } from '../api.js';

const useStyles = makeStyles({
  page: {
    display: 'flex',
    justifyContent: 'center',
    alignItems: 'flex-start',
    minHeight: '100vh',
    padding: '12vh 12px 0',
    backgroundColor: tokens.colorNeutralBackground2,
  },
  card: { width: '100%', maxWidth: '380px', padding: '24px' },
  form: { display: 'flex', flexDirection: 'column', gap: '16px' },
});

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const s = useStyles();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const info = await api<SessionInfo>('POST', '/api/v1/session', { name, password });
      setCsrf(info.csrfToken);
      onSignedIn();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main className={s.page}>
      <Card className={s.card}>
        <form className={s.form} onSubmit={(e) => void submit(e)}>
          <div>
            <Title2 as="h1">Sign in</Title2>
            <br />
            <Text>to the Outgate admin portal</Text>
          </div>
          {error ? (
            <MessageBar intent="error" role="alert">
              <MessageBarBody>{error}</MessageBarBody>
            </MessageBar>
          ) : null}
          <Field label="Account name" required>
            <Input value={name} onChange={(_e, d) => setName(d.value)} autoComplete="username" autoFocus name="name" />
          </Field>
          <Field label="Password" required>
            <Input
              type="password"
              value={password}
              onChange={(_e, d) => setPassword(d.value)}
              autoComplete="current-password"
              name="password"
            />
          </Field>
          <Button
            appearance="primary"
            type="submit"
            disabled={busy || !name || !password}
            icon={busy ? <Spinner size="tiny" /> : undefined}
          >
            Sign in
          </Button>
        </form>
      </Card>
    </main>
  );
}

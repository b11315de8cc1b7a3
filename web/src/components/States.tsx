// The designed states of a list: loading, error (with the API's sentence and Retry), empty.
import {
  Button,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, DocumentDismissRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import type { LoadState } from '../hooks/use-load.js';

const useStyles = makeStyles({
  box: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: '8px',
    padding: '48px 16px',
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
  },
  icon: { fontSize: '40px', color: tokens.colorNeutralForeground3 },
});

export function LoadingState({ label }: { label: string }) {
  const s = useStyles();
  return (
    <div className={s.box} role="status">
      <Spinner label={label} />
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <MessageBar intent="error" role="alert" style={{ marginTop: 12 }}>
      <MessageBarBody>
        <MessageBarTitle>Couldn't load this</MessageBarTitle>
        {message}
      </MessageBarBody>
      {onRetry ? (
        <MessageBarActions>
          <Button icon={<ArrowClockwiseRegular />} onClick={onRetry}>
            Retry
          </Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

export function EmptyState({ title, body, icon, action }: { title: string; body?: ReactNode; icon?: ReactNode; action?: ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.box} data-testid="empty-state">
      <span className={s.icon} aria-hidden>
        {icon ?? <DocumentDismissRegular />}
      </span>
      <Text weight="semibold" size={400}>
        {title}
      </Text>
      {body ? <Text>{body}</Text> : null}
      {action}
    </div>
  );
}

/** A loaded list in its designed state: the spinner, the error with Retry, the empty state, or the items. */
export function ListState<T>({ state, empty, retry, children }: { state: LoadState<T[]>; empty: string; retry: () => void; children: (items: T[]) => ReactNode }) {
  if (state.kind === 'loading') return <LoadingState label="Loading…" />;
  if (state.kind === 'error') return <ErrorState message={state.message} onRetry={retry} />;
  if (state.data.length === 0) return <EmptyState title={empty} />;
  return <>{children(state.data)}</>;
}

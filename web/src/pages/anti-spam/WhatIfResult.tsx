// What a policy's settings would have restricted in the last 7 days (POST /api/v1/outbound-policies/what-if).
import { MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { formatDate } from '../../api.js';
import { ErrorState } from '../../components/States.js';
import { placeText } from './labels.js';
import { useStyles } from './styles.js';
import type { WhatIf } from './types.js';

export type WhatIfState = { kind: 'idle' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; result: WhatIf };

export function WhatIfResult({ state }: { state: WhatIfState }) {
  const s = useStyles();
  if (state.kind === 'idle') return null;
  if (state.kind === 'loading') return <Spinner size="tiny" label="Replaying the last 7 days…" labelPosition="after" />;
  if (state.kind === 'error') return <ErrorState message={state.message} />;
  const r = state.result;
  return (
    <MessageBar intent={r.Count > 0 ? 'warning' : 'success'} data-testid="what-if">
      <MessageBarBody>
        <Text weight="semibold" block>
          {r.Count === 0
            ? `In the last 7 days these settings would have restricted no sender (of ${r.SendersEvaluated} evaluated).`
            : `In the last 7 days these settings would have restricted ${r.Count} ${r.Count === 1 ? 'sender' : 'senders'} (of ${r.SendersEvaluated} evaluated):`}
        </Text>
        <Text block data-testid="what-if-place">
          {placeText(r)}
        </Text>
        {r.Count > 0 ? (
          <ul className={s.list}>
            {r.Restricted.slice(0, 20).map((x) => (
              <li key={`${x.EntityType}:${x.Entity}`}>
                {x.Entity}: {x.Count} recipients against {x.Limit} {x.Threshold}, {formatDate(x.At)}
              </li>
            ))}
            {r.Restricted.length > 20 ? <li>and {r.Restricted.length - 20} more</li> : null}
          </ul>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

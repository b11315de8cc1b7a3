// A definition list of label and value pairs, for details in flyouts and wizard reviews.
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  dl: { display: 'grid', gridTemplateColumns: 'minmax(140px, max-content) 1fr', gap: '6px 16px', margin: 0 },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
});

/** `className` adds to the grid's own class (a margin, where a page wants one). */
export function Dl({ rows, className }: { rows: Array<[string, ReactNode]>; className?: string }) {
  const s = useStyles();
  return (
    <dl className={mergeClasses(s.dl, className)}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt className={s.dt}>{k}</dt>
          <dd className={s.dd}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

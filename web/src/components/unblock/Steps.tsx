// The step list at the top of the Unblock user flyout (Overview, Unblock user).
import { mergeClasses, tokens } from '@fluentui/react-components';
import { CheckmarkCircleFilled, CircleFilled, CircleRegular } from '@fluentui/react-icons';
import { useStyles } from './styles.js';

export function Steps({ names, current }: { names: string[]; current: number }) {
  const s = useStyles();
  return (
    <ol className={s.steps} aria-label="Steps">
      {names.map((n, i) => (
        <li key={n} className={mergeClasses(s.step, i === current && s.stepActive)} aria-current={i === current ? 'step' : undefined}>
          {i < current ? (
            <CheckmarkCircleFilled color={tokens.colorPaletteGreenForeground1} />
          ) : i === current ? (
            <CircleFilled color={tokens.colorBrandForeground1} />
          ) : (
            <CircleRegular />
          )}
          {n}
        </li>
      ))}
    </ol>
  );
}

// A wizard in a flyout, as the Defender portal's: the steps listed (done ones checked), one page at a
// time, Back / Next, and the final action on the last page. Focus moves to the page's heading on each step.
import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  makeStyles,
  mergeClasses,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Spinner,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircleFilled, CircleRegular, Dismiss24Regular, RecordRegular } from '@fluentui/react-icons';
import { useEffect, useRef, type ReactNode } from 'react';

const useStyles = makeStyles({
  layout: { display: 'flex', gap: '24px', '@media (max-width: 760px)': { flexDirection: 'column', gap: '12px' } },
  steps: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    minWidth: '180px',
    display: 'flex',
    flexDirection: 'column',
    gap: '12px',
    '@media (max-width: 760px)': { flexDirection: 'row', flexWrap: 'wrap', minWidth: 0 },
  },
  step: { display: 'flex', gap: '6px', alignItems: 'center', color: tokens.colorNeutralForeground3 },
  active: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
  page: { flexGrow: 1, minWidth: 0, display: 'flex', flexDirection: 'column', gap: '12px' },
  footer: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
  heading: {
    margin: 0,
    fontSize: tokens.fontSizeBase500,
    lineHeight: tokens.lineHeightBase500,
    fontWeight: tokens.fontWeightSemibold,
    outline: 'none',
  },
});

export interface WizardStep {
  title: string;
  content: ReactNode;
  /** A sentence saying what is missing; blocks Next. */
  invalid?: string | null;
}

export function Wizard(props: {
  title: string;
  steps: WizardStep[];
  step: number;
  onStep: (n: number) => void;
  onClose: () => void;
  finish: { label: string; run: () => void; busy?: boolean };
  error?: string | null;
  /** After the final action: a page with only Done. */
  done?: ReactNode;
}) {
  const s = useStyles();
  const heading = useRef<HTMLHeadingElement>(null);
  const current = props.steps[props.step]!;
  const last = props.step === props.steps.length - 1;
  useEffect(() => {
    heading.current?.focus();
  }, [props.step, props.done]);
  return (
    <OverlayDrawer open position="end" size="large" onOpenChange={(_e, d) => !d.open && props.onClose()} aria-labelledby="wizard-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          id="wizard-title"
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={props.onClose} />}
        >
          {props.title}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={s.layout}>
          <ol className={s.steps} aria-label="Steps">
            {props.steps.map((st, i) => (
              <li
                key={st.title}
                className={mergeClasses(s.step, i === props.step && !props.done && s.active)}
                aria-current={i === props.step && !props.done ? 'step' : undefined}
              >
                {i < props.step || props.done ? (
                  <CheckmarkCircleFilled color={tokens.colorPaletteGreenForeground1} />
                ) : i === props.step ? (
                  <RecordRegular />
                ) : (
                  <CircleRegular />
                )}
                {st.title}
              </li>
            ))}
          </ol>
          <div className={s.page}>
            <h2 ref={heading} tabIndex={-1} className={s.heading}>
              {props.done ? 'Done' : current.title}
            </h2>
            {props.error ? (
              <MessageBar intent="error" role="alert">
                <MessageBarBody>{props.error}</MessageBarBody>
              </MessageBar>
            ) : null}
            {props.done ?? current.content}
          </div>
        </div>
      </DrawerBody>
      <DrawerFooter className={s.footer}>
        {props.done ? (
          <Button appearance="primary" onClick={props.onClose}>
            Done
          </Button>
        ) : (
          <>
            {props.step > 0 ? (
              <Button onClick={() => props.onStep(props.step - 1)} disabled={props.finish.busy}>
                Back
              </Button>
            ) : null}
            {last ? (
              <Button
                appearance="primary"
                onClick={props.finish.run}
                disabled={props.finish.busy || !!current.invalid}
                icon={props.finish.busy ? <Spinner size="tiny" /> : undefined}
              >
                {props.finish.label}
              </Button>
            ) : (
              <Button appearance="primary" onClick={() => props.onStep(props.step + 1)} disabled={!!current.invalid}>
                Next
              </Button>
            )}
            <Button appearance="subtle" onClick={props.onClose} disabled={props.finish.busy}>
              Cancel
            </Button>
            {current.invalid ? <span style={{ alignSelf: 'center', color: tokens.colorNeutralForeground3 }}>{current.invalid}</span> : null}
          </>
        )}
      </DrawerFooter>
    </OverlayDrawer>
  );
}

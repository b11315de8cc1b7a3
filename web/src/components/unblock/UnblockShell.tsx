// The frame both Unblock flyouts share: the drawer titled with the entity's name, the failure, a footer
// ending in Cancel, and the warning asked before unblocking. The flyouts fill in their steps and words.
import {
  Button,
  DrawerBody,
  DrawerFooter,
  DrawerHeader,
  DrawerHeaderTitle,
  MessageBar,
  MessageBarBody,
  OverlayDrawer,
  Text,
} from '@fluentui/react-components';
import { Dismiss24Regular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { ConfirmUnblock } from './ConfirmUnblock.js';
import { useStyles } from './styles.js';
import type { UnblockFlow } from './use-unblock.js';

export function UnblockShell({
  titleId,
  title,
  name,
  flow,
  onClose,
  top,
  footer,
  warning,
  children,
}: {
  titleId: string;
  title: string;
  name: string;
  flow: UnblockFlow;
  onClose: () => void;
  /** Above the failure (the user flyout's steps and step heading). */
  top?: ReactNode;
  /** The buttons before Cancel. */
  footer: ReactNode;
  warning: { title: string; text: ReactNode };
  children: ReactNode;
}) {
  const s = useStyles();
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_e, d) => !d.open && onClose()} aria-labelledby={titleId}>
      <DrawerHeader>
        <DrawerHeaderTitle
          id={titleId}
          action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={onClose} />}
        >
          {title}
        </DrawerHeaderTitle>
        <Text className={s.code}>{name}</Text>
      </DrawerHeader>
      <DrawerBody>
        {top}
        {flow.failure ? (
          <MessageBar intent="error" role="alert" style={{ marginBottom: 12 }}>
            <MessageBarBody>{flow.failure}</MessageBarBody>
          </MessageBar>
        ) : null}
        {children}
      </DrawerBody>
      <DrawerFooter className={s.footer}>
        {footer}
        <Button appearance="subtle" onClick={onClose}>
          Cancel
        </Button>
      </DrawerFooter>
      <ConfirmUnblock open={flow.confirming} busy={flow.busy} title={warning.title} onYes={flow.unblock} onNo={flow.cancel}>
        {warning.text}
      </ConfirmUnblock>
    </OverlayDrawer>
  );
}

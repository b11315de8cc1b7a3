// Fluent's TabList without Tabster's arrow-key group: that group puts two hidden, focusable <i> elements
// around the tabs (axe: aria-hidden-focus). Here the tabs rove themselves: only the selected one is in
// the Tab order, arrows, Home and End move between them. It also wraps at narrow widths instead of
// pushing the page sideways.
import {
  makeStyles,
  mergeClasses,
  renderTabList_unstable,
  useTabListContextValues_unstable,
  useTabListStyles_unstable,
  useTabList_unstable,
  type TabListProps,
} from '@fluentui/react-components';
import type { KeyboardEvent } from 'react';

const useStyles = makeStyles({ wrap: { flexWrap: 'wrap' } });

const KEYS: Record<string, (i: number, n: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_i, n) => n - 1,
};

function rove(e: KeyboardEvent<HTMLDivElement>): void {
  const step = KEYS[e.key];
  if (!step) return;
  const tabs = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]:not([disabled])')];
  const at = tabs.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  e.preventDefault();
  tabs[step(at, tabs.length)]?.focus();
}

/** A TabList; give each Tab tabIndex={selected ? 0 : -1}. */
export function TabStrip(props: TabListProps) {
  const s = useStyles();
  const state = useTabList_unstable(props, null);
  const root = state.root as typeof state.root & { 'data-tabster'?: string };
  delete root['data-tabster'];
  const onKeyDown = root.onKeyDown;
  root.onKeyDown = (e) => {
    onKeyDown?.(e);
    rove(e);
  };
  root.className = mergeClasses(root.className, s.wrap);
  useTabListStyles_unstable(state);
  return renderTabList_unstable(state, useTabListContextValues_unstable(state));
}

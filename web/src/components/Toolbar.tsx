// Shared list pieces: sort state with a header per column, the page header, the spacing menu.
import {
  Button,
  makeStyles,
  Menu,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  SearchBox,
  Text,
  Title2,
  tokens,
  type TableProps,
} from '@fluentui/react-components';
import { TextDensityRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export type SortDir = 'ascending' | 'descending';

export function useSort<T>(
  items: readonly T[],
  keys: Record<string, (t: T) => string | number | null | undefined>,
  initial: { column: string; dir: SortDir },
) {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => {
    const key = keys[sort.column];
    if (!key) return [...items];
    const f = sort.dir === 'ascending' ? 1 : -1;
    return [...items].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      if (x === y) return 0;
      if (x === null || x === undefined || x === '') return 1;
      if (y === null || y === undefined || y === '') return -1;
      return (
        (typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: 'base' })) * f
      );
    });
    // keys is a literal per render; the items, the column and the direction decide the order.
  }, [items, sort]);
  const headerProps = (column: string) => ({
    scope: 'col',
    sortDirection: sort.column === column ? sort.dir : undefined,
    'aria-sort': sort.column === column ? sort.dir : ('none' as const),
    onClick: () => setSort((s) => ({ column, dir: s.column === column && s.dir === 'ascending' ? 'descending' : 'ascending' })),
  });
  return { sorted, sort, headerProps };
}

const useStyles = makeStyles({
  head: { display: 'flex', flexDirection: 'column', gap: '4px', marginBottom: '12px' },
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: '8px',
    margin: '8px 0',
    paddingBottom: '8px',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  grow: { flexGrow: 1 },
  scroll: { overflowX: 'auto', width: '100%' },
  // A fixed width: Fluent's SearchBox narrows when it loses focus, which moved the controls beside it
  // between a click's press and release (the spacing button ignored its first click).
  search: { width: '240px', '@media (max-width: 760px)': { width: '100%' } },
});

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.head}>
      <Title2 as="h1" tabIndex={-1}>
        {title}
      </Title2>
      {children ? <Text>{children}</Text> : null}
    </div>
  );
}

export function Bar({ children }: { children: ReactNode }) {
  const s = useStyles();
  return (
    <div className={s.bar} role="toolbar" aria-label="List actions">
      {children}
    </div>
  );
}

export function Grow() {
  return <span className={useStyles().grow} />;
}

/** A table wider than the page scrolls sideways; then it is a focusable region, so the keyboard can scroll it too. */
export function Scroll({ children }: { children: ReactNode }) {
  const s = useStyles();
  const [scrolls, setScrolls] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = (): void => setScrolls(el.scrollWidth > el.clientWidth);
    const observer = new ResizeObserver(check);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    check();
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={ref} className={s.scroll} {...(scrolls ? { tabIndex: 0, role: 'region', 'aria-label': 'Scrollable list' } : {})}>
      {children}
    </div>
  );
}

/** The list's search box. */
export function ListSearch({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <SearchBox className={useStyles().search} placeholder="Search" aria-label="Search" value={value} onChange={(_e, d) => onChange(d.value)} />
  );
}

export type Spacing = NonNullable<TableProps['size']>;

export function SpacingMenu({ spacing, onChange }: { spacing: Spacing; onChange: (s: Spacing) => void }) {
  return (
    <Menu
      checkedValues={{ spacing: [spacing === 'extra-small' ? 'compact' : 'normal'] }}
      onCheckedValueChange={(_e, d) => onChange(d.checkedItems[0] === 'compact' ? 'extra-small' : 'medium')}
    >
      <MenuTrigger disableButtonEnhancement>
        <Button
          appearance="subtle"
          icon={<TextDensityRegular />}
          aria-label="Change list spacing to compact or normal"
          title="Change list spacing to compact or normal"
        />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuItemRadio name="spacing" value="normal">
            Normal list
          </MenuItemRadio>
          <MenuItemRadio name="spacing" value="compact">
            Compact list
          </MenuItemRadio>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}

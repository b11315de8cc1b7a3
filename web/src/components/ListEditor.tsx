// The shape every list editor in Settings (and the alert webhooks) has: a sentence saying what the list
// is for, an add form for roles that may add, the list in its designed states (ListState), and one
// table whose last column holds a row's actions. Each editor says only what differs: its columns.
import {
  Button,
  makeStyles,
  mergeClasses,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useId, type FormEvent, type ReactNode } from 'react';
import type { LoadState } from '../hooks/use-load.js';
import { ListState } from './States.js';
import { Scroll } from './Toolbar.js';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: '12px', marginTop: '16px', maxWidth: '1100px' },
  headed: { marginTop: '24px', maxWidth: 'none' },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  form: { display: 'flex', flexWrap: 'wrap', gap: '12px', alignItems: 'flex-end' },
  table: { minWidth: '640px', tableLayout: 'auto' },
  wrap: { overflowWrap: 'anywhere' },
});

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
  /** Long values (addresses, URLs, names) break anywhere rather than widen the table. */
  wrap?: boolean;
}

export interface ListEditorProps<T> {
  /** The table's accessible name. */
  label: string;
  /** A section heading (h2), when the list is not a tab of its own. */
  heading?: string;
  intro: ReactNode;
  /** Warnings or role notes between the sentence and the form. */
  notice?: ReactNode;
  /** The add form (AddForm) or an add button; null for roles that may not add. */
  add?: ReactNode;
  state: LoadState<T[]>;
  retry: () => void;
  empty: string;
  columns: Array<Column<T>>;
  rowKey: (item: T) => string;
  /** data-* attributes a row carries (tests and styles find rows by them). */
  rowData?: (item: T) => Record<string, string>;
  /** A row's actions (RemoveButton…); omitted for roles that may not change, and then no Actions column. */
  actions?: (item: T) => ReactNode;
  actionsHeader?: string;
  /** What follows the list (a dialog the add button opens). */
  children?: ReactNode;
}

export function ListEditor<T>(p: ListEditorProps<T>) {
  const s = useStyles();
  const headingId = useId();
  return (
    <section className={mergeClasses(s.section, p.heading ? s.headed : undefined)} aria-labelledby={p.heading ? headingId : undefined}>
      {p.heading ? (
        <h2 id={headingId} className={s.heading}>
          {p.heading}
        </h2>
      ) : null}
      <Text>{p.intro}</Text>
      {p.notice}
      {p.add}
      <ListState state={p.state} retry={p.retry} empty={p.empty}>
        {(items) => (
          <Scroll>
            <Table aria-label={p.label} className={s.table}>
              <TableHeader>
                <TableRow>
                  {p.columns.map((c) => (
                    <TableHeaderCell key={c.header} scope="col">
                      {c.header}
                    </TableHeaderCell>
                  ))}
                  {p.actions ? <TableHeaderCell scope="col">{p.actionsHeader ?? 'Actions'}</TableHeaderCell> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((item) => (
                  <TableRow key={p.rowKey(item)} {...p.rowData?.(item)}>
                    {p.columns.map((c) => (
                      <TableCell key={c.header} className={c.wrap ? s.wrap : undefined}>
                        {c.cell(item)}
                      </TableCell>
                    ))}
                    {p.actions ? <TableCell>{p.actions(item)}</TableCell> : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Scroll>
        )}
      </ListState>
      {p.children}
    </section>
  );
}

/** The add form of a list editor: its fields in a wrapping row and one submit button. */
export function AddForm({
  label,
  submit,
  disabled,
  onSubmit,
  children,
}: {
  label?: string;
  submit: string;
  disabled: boolean;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const s = useStyles();
  const go = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form className={s.form} onSubmit={go} aria-label={label}>
      {children}
      <Button type="submit" icon={<AddRegular />} disabled={disabled}>
        {submit}
      </Button>
    </form>
  );
}

/** A row's Remove button, named for what it removes. */
export function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button size="small" icon={<DeleteRegular />} aria-label={label} onClick={onClick}>
      Remove
    </Button>
  );
}

/** The width of an add form's field: side by side when there is room, one per line on a phone. */
export const useFieldStyles = makeStyles({
  field: { minWidth: '180px', '@media (max-width: 760px)': { minWidth: '100%' } },
  wide: { minWidth: '240px', '@media (max-width: 760px)': { minWidth: '100%' } },
});

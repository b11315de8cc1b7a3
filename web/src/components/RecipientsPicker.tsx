// The Email recipients picker of the alert policy wizards: TenantAdmins, account names or addresses,
// as dismissible tags, with suggestions from the admin accounts.
import { Combobox, makeStyles, Option, Tag, TagGroup } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { api } from '../api.js';
import { useLoad } from '../hooks/use-load.js';
import type { AdminAccount } from '../types.js';

const useStyles = makeStyles({
  tags: { display: 'flex', flexWrap: 'wrap', gap: '4px', marginBottom: '4px' },
});

export function RecipientsPicker({ value, onChange, suggestions }: { value: string[]; onChange: (v: string[]) => void; suggestions: string[] }) {
  const s = useStyles();
  const [text, setText] = useState('');
  // Controlled, so adding a recipient (Enter or a click) closes the list instead of leaving it over
  // the Daily notification limit below.
  const [open, setOpen] = useState(false);
  const add = (v: string): void => {
    const t = v.trim();
    if (t && !value.some((x) => x.toLowerCase() === t.toLowerCase())) onChange([...value, t]);
    setText('');
    setOpen(false);
  };
  const options = suggestions.filter((o) => !value.includes(o) && o.toLowerCase().includes(text.trim().toLowerCase()));
  return (
    <>
      <TagGroup className={s.tags} onDismiss={(_e, d) => onChange(value.filter((x) => x !== d.value))} aria-label="Email recipients">
        {value.map((r) => (
          <Tag key={r} value={r} dismissible dismissIcon={{ 'aria-label': `Remove ${r}` }}>
            {r}
          </Tag>
        ))}
      </TagGroup>
      <Combobox
        freeform
        aria-label="Add a recipient"
        placeholder="Type a name or an email address"
        value={text}
        selectedOptions={[]}
        open={open}
        onOpenChange={(_e, d) => setOpen(d.open)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onOptionSelect={(_e, d) => d.optionValue && add(d.optionValue)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && text.trim()) {
            e.preventDefault();
            add(text);
          }
        }}
      >
        {options.map((o) => (
          <Option key={o}>{o}</Option>
        ))}
        {text.trim() && !options.includes(text.trim()) ? <Option value={text.trim()}>{`Add ${text.trim()}`}</Option> : null}
      </Combobox>
    </>
  );
}

/** TenantAdmins, and the account names a Global Administrator can see (others type addresses). */
export function useRecipientSuggestions(canAdminister: boolean): string[] {
  const { state } = useLoad(
    (signal) => (canAdminister ? api<AdminAccount[]>('GET', '/api/v1/accounts', undefined, signal) : Promise.resolve([])),
    `recipient-suggestions|${canAdminister}`,
  );
  // Without the accounts (not allowed, or their answer failed) TenantAdmins is still offered.
  return useMemo(() => ['TenantAdmins', ...(state.kind === 'ok' ? state.data.map((a) => a.Name) : [])], [state]);
}

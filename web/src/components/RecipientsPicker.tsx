// The Email recipients picker of the alert policy wizards: TenantAdmins, account names or addresses,
// as dismissible tags, with suggestions from the admin accounts.
import { Combobox, makeStyles, Option, Tag, TagGroup } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api } from '../api.js';

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
  const [suggestions, setSuggestions] = useState<string[]>(['TenantAdmins']);
  useEffect(() => {
    if (!canAdminister) return;
    api<Array<{ Name: string }>>('GET', '/api/v1/accounts').then(
      (a) => setSuggestions(['TenantAdmins', ...a.map((x) => x.Name)]),
      () => undefined,
    );
  }, [canAdminister]);
  return suggestions;
}

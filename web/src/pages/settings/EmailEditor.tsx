// An admin account's email, edited in its row of Admin accounts: where its TenantAdmins alerts go.
import { Button, Input, makeStyles } from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import type { AdminAccount } from '../../types.js';

const useStyles = makeStyles({
  inline: { display: 'flex', gap: '4px', alignItems: 'center', minWidth: '220px' },
});

/** An account's email (where its TenantAdmins alerts go): saved on Save or Enter, cleared when emptied. */
export function EmailEditor({ account, save }: { account: AdminAccount; save: (email: string | null) => Promise<boolean> }) {
  const s = useStyles();
  const [value, setValue] = useState(account.Email ?? '');
  useEffect(() => setValue(account.Email ?? ''), [account.Email]);
  const dirty = value.trim() !== (account.Email ?? '');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (dirty) void save(value.trim() || null);
  };
  return (
    <form className={s.inline} onSubmit={submit}>
      <Input
        size="small"
        inputMode="email"
        aria-label={`Email of ${account.Name}`}
        placeholder="No address"
        value={value}
        onChange={(_e, d) => setValue(d.value)}
      />
      {dirty ? (
        <Button size="small" type="submit" aria-label={`Save the email of ${account.Name}`}>
          Save
        </Button>
      ) : null}
    </form>
  );
}

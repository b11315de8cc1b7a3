// Sub-addresses of a login (`alice+news@`), folded into the mailbox (`alice@`) when the operator
// turns it on (policy.recipientDelimiter), by Postfix's recipient_delimiter convention: every
// character of the setting is a delimiter and the local part ends at the first one. EOP has no such
// logins (docs/spec.md §1: the counted account is the UPN), so Outgate keeps them apart by default.

/** `login` with its address extension removed; unchanged when `delimiters` is empty or none occurs. */
export function foldSubaddress(login: string, delimiters: string): string {
  if (delimiters === '') return login;
  const at = login.lastIndexOf('@');
  const local = at < 0 ? login : login.slice(0, at);
  let cut = -1;
  for (let i = 0; i < local.length; i++) {
    if (delimiters.includes(local[i]!)) {
      cut = i;
      break;
    }
  }
  // A local part that starts with a delimiter has no mailbox name before it: left alone, as Postfix does.
  if (cut <= 0) return login;
  return at < 0 ? local.slice(0, cut) : `${local.slice(0, cut)}${login.slice(at)}`;
}

// The Name and Description fields the create wizards open with (an outbound policy, an alert policy).
import { Field, Input, Textarea } from '@fluentui/react-components';

export function NameFields({
  name,
  description,
  onName,
  onDescription,
}: {
  name: string;
  description: string;
  onName: (v: string) => void;
  onDescription: (v: string) => void;
}) {
  return (
    <>
      <Field label="Name" required>
        <Input value={name} onChange={(_e, d) => onName(d.value)} maxLength={64} />
      </Field>
      <Field label="Description">
        <Textarea value={description} onChange={(_e, d) => onDescription(d.value)} maxLength={1024} />
      </Field>
    </>
  );
}

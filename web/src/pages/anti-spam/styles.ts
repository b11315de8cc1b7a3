// The anti-spam pages' shared styles.
import { makeStyles } from '@fluentui/react-components';

export const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '12px', maxWidth: '560px' },
  list: { margin: '4px 0', paddingLeft: '20px' },
  actions: { display: 'flex', gap: '8px', flexWrap: 'wrap', marginBottom: '12px' },
});

// The alert policy pages' shared styles.
import { makeStyles } from '@fluentui/react-components';

export const useStyles = makeStyles({
  top: { display: 'flex', gap: '12px', alignItems: 'center', flexWrap: 'wrap', marginBottom: '12px' },
  form: { display: 'flex', flexDirection: 'column', gap: '16px', maxWidth: '560px' },
  dl: { margin: '8px 0' },
});

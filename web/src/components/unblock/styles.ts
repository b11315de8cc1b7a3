// The unblock flyouts' shared styles.
import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';

export const useStyles = makeStyles({
  steps: { display: 'flex', gap: '16px', margin: '0 0 16px', padding: 0, listStyle: 'none', flexWrap: 'wrap' },
  step: { display: 'flex', alignItems: 'center', gap: '4px', color: tokens.colorNeutralForeground3 },
  stepActive: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
  section: { marginBottom: '20px' },
  linkRow: { display: 'inline-flex', alignItems: 'center', gap: '4px', marginTop: '4px' },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  footer: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
  stepHeading: { ...typographyStyles.subtitle2, margin: '0 0 8px' },
});

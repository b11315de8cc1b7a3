import { Title2 } from '@fluentui/react-components';
import { EmptyState } from '../components/States.js';

export function Placeholder({ title, missing }: { title: string; missing?: boolean }) {
  return (
    <>
      <Title2 as="h1">{title}</Title2>
      <EmptyState
        title={missing ? 'There is no such page' : 'Coming soon'}
        body={missing ? 'Pick a page from the navigation.' : 'This page is not available in this version of the portal.'}
      />
    </>
  );
}

import { Title2 } from '@fluentui/react-components';
import { EmptyState } from '../components/States.js';

/** A path the portal has no page for (a mistyped or stale deep link). */
export function NotFound() {
  return (
    <>
      <Title2 as="h1">Page not found</Title2>
      <EmptyState title="There is no such page" body="Pick a page from the navigation." />
    </>
  );
}

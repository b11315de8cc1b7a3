// A tiny history router: the portal's pages are a handful of fixed paths, deep-linkable and reloadable
// (the server answers every page path with index.html).
import { useEffect, useState } from 'react';

const listeners = new Set<() => void>();

/** The Defender portal's own addresses for these pages (the seed's links), and any case of ours. */
const ALIASES: Record<string, string> = {
  '/restrictedusers': '/restrictedentities',
  '/alertpoliciesv2': '/alertpolicies',
};

/** The page a path names: lower case, no trailing slash, aliases resolved. */
export function canonicalPath(path: string): string {
  const p = path.toLowerCase().replace(/\/+$/, '') || '/';
  return ALIASES[p] ?? p;
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  for (const l of listeners) l();
}

/** Rewrites the address in place (no new history entry), e.g. to the canonical path or a new ?tenant=. */
export function replaceAddress(path: string): void {
  if (path === location.pathname + location.search) return;
  history.replaceState(null, '', path);
  for (const l of listeners) l();
}

export function usePath(): string {
  const [path, setPath] = useState(() => canonicalPath(location.pathname));
  useEffect(() => {
    const update = (): void => setPath(canonicalPath(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

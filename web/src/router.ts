/**
 * @module Pages are addressed by the URL's hash (`#/projects/<id>/images`), so links and the back
 * button work, the server serves one page, and no key ever appears in an address.
 */
import { useEffect, useState } from 'preact/hooks';

export type ProjectTab = 'images' | 'performance' | 'predictions' | 'quick-test' | 'export';
export const PROJECT_TABS: readonly ProjectTab[] = ['images', 'performance', 'predictions', 'quick-test', 'export'];

export type Route =
  | { page: 'projects' }
  | { page: 'settings' }
  | { page: 'project'; projectId: string; tab: ProjectTab; /** An iteration id on the performance tab. */ detail?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'settings') return { page: 'settings' };
  if (parts[0] === 'projects' && parts[1]) {
    const tab = (PROJECT_TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as ProjectTab) : 'images';
    return { page: 'project', projectId: parts[1], tab, detail: parts[3] };
  }
  return { page: 'projects' };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'projects':
      return '#/';
    case 'settings':
      return '#/settings';
    case 'project':
      return `#/projects/${encodeURIComponent(route.projectId)}/${route.tab}${route.detail ? `/${encodeURIComponent(route.detail)}` : ''}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

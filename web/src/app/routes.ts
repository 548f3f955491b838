/**
 * The app's screens by URL. Each feature adds its lines here (one place to see every address).
 * `public` screens need no sign-in (a public link opened by a stranger).
 */
import type { ComponentType } from 'preact';
import { FilesScreen } from '../features/files/FilesScreen';
import { lazyView } from './lazy';

type Screen = ComponentType<{ params: string[] }>;
const lazyScreen = (load: () => Promise<Screen>) => lazyView(load);

// The files screen is in the main script; the others load when first opened (lazy.tsx says why).
const TrashScreen = lazyScreen(() => import('../features/files/TrashScreen').then((m) => m.TrashScreen));
const SearchScreen = lazyScreen(() => import('../features/files/SearchScreen').then((m) => m.SearchScreen));
const RecentScreen = lazyScreen(() => import('../features/files/RecentStarred').then((m) => m.RecentScreen));
const StarredScreen = lazyScreen(() => import('../features/files/RecentStarred').then((m) => m.StarredScreen));
const SharedScreen = lazyScreen(() => import('../features/sharing/SharedScreen').then((m) => m.SharedScreen));
const LinkPage = lazyScreen(() => import('../features/links/LinkPage').then((m) => m.LinkPage));
const AccountScreen = lazyScreen(() => import('../features/account/AccountScreen').then((m) => m.AccountScreen));
const ShareTargetScreen = lazyScreen(() => import('../features/share-target/ShareTargetScreen').then((m) => m.ShareTargetScreen));

export interface Route {
  /** Matches the URL path; the captured groups go to the screen as `params`. */
  pattern: RegExp;
  view: ComponentType<{ params: string[] }>;
  public?: boolean;
}

export const ROUTES: Route[] = [
  { pattern: /^\/(?:files(?:\/.*)?)?$/, view: FilesScreen },
  { pattern: /^\/trash$/, view: TrashScreen },
  { pattern: /^\/search$/, view: SearchScreen },
  { pattern: /^\/recent$/, view: RecentScreen },
  { pattern: /^\/starred$/, view: StarredScreen },
  { pattern: /^\/shared\/?$/, view: SharedScreen },
  { pattern: /^\/s\/([A-Za-z0-9_-]+)\/?$/, view: LinkPage, public: true },
  { pattern: /^\/account$/, view: AccountScreen },
  { pattern: /^\/share-target$/, view: ShareTargetScreen },
];

export function matchRoute(path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((s) => s ?? '') };
  }
  return undefined;
}

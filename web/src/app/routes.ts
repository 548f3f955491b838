/**
 * The app's screens by URL. Each feature adds its lines here (one place to see every address).
 * `public` screens need no sign-in (a public link opened by a stranger).
 */
import type { ComponentType } from 'preact';
import { AccountScreen } from '../features/account/AccountScreen';
import { RecentScreen, StarredScreen } from '../features/files/RecentStarred';
import { FilesScreen } from '../features/files/FilesScreen';
import { SearchScreen } from '../features/files/SearchScreen';
import { TrashScreen } from '../features/files/TrashScreen';
import { LinkPage } from '../features/links/LinkPage';
import { SharedScreen } from '../features/sharing/SharedScreen';
import { ShareTargetScreen } from '../features/share-target/ShareTargetScreen';

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

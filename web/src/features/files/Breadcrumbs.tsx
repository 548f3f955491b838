import type { FileView } from '@coffer/protocol';
import { Link } from '../../app/Link';
import { filesHref } from '../../app/router';
import { dropTarget } from './dnd';
import { t } from './messages';

/** Where the folder is; every crumb is also a drop target (drag rows onto it to move them there). */
export function Breadcrumbs(props: { path: string; onDrop?: (entries: readonly FileView[], folder: string) => void }) {
  const segs = props.path.split('/').filter(Boolean);
  const crumbs = [{ name: t('root'), path: '/' }, ...segs.map((s, i) => ({ name: s, path: '/' + segs.slice(0, i + 1).join('/') }))];
  return (
    <nav aria-label={t('breadcrumbs')} class="crumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.path}>
            <Link href={filesHref(c.path)} aria-current={i === crumbs.length - 1 ? 'page' : undefined} {...(props.onDrop ? dropTarget(c.path, props.onDrop) : {})}>
              {c.name}
            </Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/**
 * Screens the files page does not show, loaded when first wanted: their code (the account page's
 * QR and passkey code, the link pages, sharing's lists, …) is a quarter of the app, and every page
 * load would otherwise compile and run it before the first listing. The service worker precaches
 * every chunk, so they open offline like the rest of the shell.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Button } from '../ui/index';
import { t } from './messages';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const get = () =>
    (pending ??= load().then(
      (view) => (loaded = view),
      (err: unknown) => {
        pending = undefined; // asked again on "try again"
        throw err;
      },
    ));
  return function LazyView(props: P) {
    const [failed, setFailed] = useState(false);
    const [, setLoaded] = useState(0);
    useEffect(() => {
      if (loaded || failed) return;
      let live = true;
      get().then(
        () => live && setLoaded(1),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, [failed]);
    if (loaded) {
      const View = loaded;
      return <View {...props} />;
    }
    if (failed)
      return (
        <div class="boot" role="alert">
          <p>{t('screenFailed')}</p>
          <Button onClick={() => setFailed(false)}>{t('tryAgain')}</Button>
        </div>
      );
    return (
      <div class="boot" role="status">
        <div class="spinner" />
        <span class="sr-only">{t('loading')}</span>
      </div>
    );
  };
}

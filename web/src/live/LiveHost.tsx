/** Follows the change feed and loads the inbox while someone is signed in (mounted once, in App). */
import { useEffect } from 'preact/hooks';
import { me } from '../session/session';
import { clearInbox, loadInbox } from './notifications';
import { startLive, stopLive } from './socket';

export function LiveHost() {
  const signedIn = !!me.value && !me.value.mustChangePassword && !me.value.twoFactorEnrolmentRequired;
  useEffect(() => {
    if (!signedIn) return;
    startLive();
    void loadInbox().catch(() => {});
    return () => {
      stopLive();
      clearInbox();
    };
  }, [signedIn]);
  return null;
}

/** "Sign in with <provider>" on the sign-in page, when the server has single sign-on (GET /auth/methods). */
import { useEffect, useState } from 'preact/hooks';
import { userOperations as ops, type AuthMethods } from '@coffer/protocol';
import { call } from '../../api/client';
import { t } from './messages';

/** The server's sign-in methods; undefined while asked (or when the server could not say: password only). */
export function useAuthMethods(): AuthMethods | undefined {
  const [methods, setMethods] = useState<AuthMethods>();
  useEffect(() => {
    let live = true;
    call(ops.getAuthMethods)
      .then((m) => live && setMethods(m))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return methods;
}

/** A link, not a fetch: the browser itself goes to the provider and comes back with the session cookie. */
export function SsoSignIn(props: { sso: NonNullable<AuthMethods['sso']>; primary: boolean }) {
  return (
    <a class={`btn wide${props.primary ? ' btn-primary' : ''}`} href={props.sso.startPath}>
      {t('signInWith', { label: props.sso.label })}
    </a>
  );
}

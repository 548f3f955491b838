/** "Sign in with a passkey" on the sign-in page: no username or password, the passkey names the account. */
import { browserSupportsWebAuthn, startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { userOperations as ops, type WebAuthnCredential } from '@coffer/protocol';
import { call } from '../../api/client';
import { signedIn } from '../../session/session';
import { Button } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';

export function PasskeySignIn(props: { onError: (message: string | undefined) => void }) {
  const [busy, setBusy] = useState(false);
  if (!browserSupportsWebAuthn()) return null;
  return (
    <Button
      class="wide"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        props.onError(undefined);
        try {
          const ceremony = await call(ops.startPasskeyLogin, { body: { cookie: true } });
          const credential = await startAuthentication({ optionsJSON: ceremony.options as unknown as PublicKeyCredentialRequestOptionsJSON });
          await call(ops.completeTwoFactorLogin, { body: { ticket: ceremony.ticket, passkey: credential as unknown as WebAuthnCredential } });
          await signedIn();
        } catch (err) {
          props.onError(t('passkeyFailed', { msg: reasonOf(err) }));
          setBusy(false);
        }
      }}
    >
      {t('signInWithPasskey')}
    </Button>
  );
}

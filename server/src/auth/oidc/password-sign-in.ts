import type { Config } from '../../config.js';
import { ForbiddenError } from '../../http-errors.js';

/** With COFFER_PASSWORD_LOGIN=0 people sign in only through the identity provider: password
 *  sign-in and sign-up are refused (app passwords, made by a signed-in user, still work on /dav/). */
export function refusePasswordSignIn(config: Pick<Config, 'signIn'>): void {
  if (!config.signIn.passwordLogin) {
    throw new ForbiddenError('this server signs people in through its identity provider only (single sign-on)', { code: 'password_login_disabled' });
  }
}

import { setLanguage, supportedLanguage } from '../../i18n';
import { sessionStore } from '../../lib/client';
import type { AuthPayloadLike } from '../../lib/session';

/** Starts the session from an auth payload, in the user's language. */
export function signedIn(payload: AuthPayloadLike): void {
  const language = supportedLanguage(payload.user.locale);
  if (language) setLanguage(language);
  sessionStore.accept(payload);
}

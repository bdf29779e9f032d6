import { useSyncExternalStore } from 'react';
import { sessionStore } from './client';
import type { Session } from './session';

export function useSession(): Session | null {
  return useSyncExternalStore(sessionStore.subscribe, () => sessionStore.get());
}

import { useSyncExternalStore } from 'react';

import { sessionSnapshot, type SessionState, subscribeSession } from '@/lib/session';

/** The current session (re-renders on sign-in, sign-out and expiry). */
export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, sessionSnapshot, sessionSnapshot);
}

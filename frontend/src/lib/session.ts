import { ApiError, apiClient, setCsrfToken, setUnauthorizedHandler } from '@/lib/api-client';

/** The signed-in person as `/api/auth/me` describes them. */
export type Me = {
  id: number;
  username: string;
  full_name: string;
  /** `browser` (user sign-in), `station` (badge + PIN at a station) or `token`. */
  kind: string;
  station: string | null;
  permissions: string[];
  must_change_password: boolean;
  csrf_token: string | null;
};

/** `undefined` until the first `/auth/me` answer; `null` when nobody is signed in. */
export type SessionState = Me | null | undefined;

let state: SessionState;
const listeners = new Set<() => void>();

/**
 * The last answer of `/auth/me`, kept for this tab only (sessionStorage), so that a station
 * tablet reloaded while the network is down still knows who is signed in and can queue records.
 * The server checks the session cookie again when they are sent.
 */
const CACHE_KEY = 'lotline.session';

function remember(me: SessionState): void {
  try {
    if (me) sessionStorage.setItem(CACHE_KEY, JSON.stringify(me));
    else sessionStorage.removeItem(CACHE_KEY);
  } catch {
    // storage disabled: no offline reload, everything else works
  }
}

function remembered(): Me | undefined {
  try {
    const raw = sessionStorage.getItem(CACHE_KEY);
    return raw ? (JSON.parse(raw) as Me) : undefined;
  } catch {
    return undefined;
  }
}

function publish(next: SessionState): void {
  state = next;
  setCsrfToken(next?.csrf_token);
  if (next !== undefined) remember(next);
  for (const listener of listeners) listener();
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function sessionSnapshot(): SessionState {
  return state;
}

export function hasPermission(me: Me | null | undefined, permission: string): boolean {
  return !!me && me.permissions.includes(permission);
}

/**
 * Asks the server who is signed in (401 means nobody). Without a network it falls back to the
 * last answer in this tab; other failures propagate.
 */
export async function loadSession(): Promise<Me | null> {
  try {
    const me = await apiClient.get<Me>('/auth/me');
    publish(me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      publish(null);
      return null;
    }
    const cached = error instanceof ApiError && error.status === 0 ? remembered() : undefined;
    if (cached) {
      publish(cached);
      return cached;
    }
    throw error;
  }
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await apiClient.post<Me>('/auth/login', { body: { username, password } });
  publish(me);
  return me;
}

export async function signInAtStation(station: string, badge: string, pin: string): Promise<Me> {
  const me = await apiClient.post<Me>('/auth/station-login', { body: { station, badge, pin } });
  publish(me);
  return me;
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await apiClient.post('/auth/password', {
    body: { current_password: currentPassword, new_password: newPassword },
  });
  await loadSession();
}

export async function signOut(): Promise<void> {
  try {
    await apiClient.post('/auth/logout');
  } finally {
    publish(null);
  }
}

/** Forgets the session locally, e.g. after the server answered 401 to an expired one. */
export function sessionExpired(): void {
  publish(null);
}

setUnauthorizedHandler(sessionExpired);

/** Back to "not asked yet" (tests start each case from here). */
export function resetSession(): void {
  remember(null);
  publish(undefined);
}

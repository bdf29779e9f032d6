// The signed-in session: tokens in memory, mirrored to sessionStorage so a
// reload keeps the user signed in (per tab; never cookies, the API takes
// bearer tokens).

export interface SessionUser {
  id: string;
  /** Null where the API withholds it (only ever someone else's address). */
  email?: string | null;
  displayName?: string | null;
  locale: string;
}

export interface SessionTenant {
  id: string;
  slug: string;
  name: string;
  baseCurrency: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  user: SessionUser;
  tenant: SessionTenant;
}

/** What `signUp`, `signIn`, `refreshSession` and `switchTenant` return. */
export interface AuthPayloadLike {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: SessionUser;
  tenant: SessionTenant;
}

/** Why a session ended: the user signed out, or it could not be renewed. */
export type EndReason = 'signedOut' | 'expired';

type Listener = () => void;

const STORAGE_KEY = 'crm.session';

export class SessionStore {
  private current: Session | null;
  private listeners = new Set<Listener>();
  /** Set when the last session ended by expiring, for the sign-in page. */
  lastEnd: EndReason | null = null;

  constructor(
    private storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null,
    private now: () => number = Date.now,
  ) {
    this.current = this.load();
  }

  get(): Session | null {
    return this.current;
  }

  /** Starts or renews the session from an auth payload. */
  accept(payload: AuthPayloadLike): Session {
    const { id, email, displayName, locale } = payload.user;
    const { id: tenantId, slug, name, baseCurrency } = payload.tenant;
    const session: Session = {
      accessToken: payload.accessToken,
      refreshToken: payload.refreshToken,
      expiresAt: this.now() + payload.expiresIn * 1000,
      user: { id, email, displayName, locale },
      tenant: { id: tenantId, slug, name, baseCurrency },
    };
    this.lastEnd = null;
    this.set(session);
    return session;
  }

  end(reason: EndReason): void {
    this.lastEnd = reason;
    this.set(null);
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(session: Session | null): void {
    this.current = session;
    try {
      if (session) this.storage?.setItem(STORAGE_KEY, JSON.stringify(session));
      else this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // Storage full or disabled: the session still lives in memory.
    }
    this.listeners.forEach((l) => l());
  }

  private load(): Session | null {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as Session;
      return typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' ? s : null;
    } catch {
      return null;
    }
  }
}

/** Renews tokens with the refresh token; `null` when the server refused it. */
export type Refresh = (refreshToken: string) => Promise<AuthPayloadLike | null>;

/** Renew this long before the access token expires. */
export const REFRESH_MARGIN_MS = 30_000;

/**
 * A `fetch` for the GraphQL client that sends the bearer token, renews it
 * shortly before it expires and once more when the server answers 401, and
 * ends the session when it cannot be renewed. One renewal at a time: the
 * refresh token rotates, and presenting a used one revokes the session.
 */
export function authFetch(options: {
  store: SessionStore;
  refresh: Refresh;
  fetch: typeof fetch;
  language: () => string;
  now?: () => number;
}): typeof fetch {
  const { store, refresh, language } = options;
  const now = options.now ?? Date.now;
  let renewing: Promise<Session | null> | null = null;

  const renew = (stale: Session): Promise<Session | null> => {
    const current = store.get();
    // Another request renewed it already.
    if (current && current.accessToken !== stale.accessToken) return Promise.resolve(current);
    if (!renewing) {
      renewing = refresh(stale.refreshToken)
        .then((payload) => {
          if (payload) return store.accept(payload);
          store.end('expired');
          return null;
        })
        .finally(() => {
          renewing = null;
        });
    }
    return renewing;
  };

  const send = (input: RequestInfo | URL, init: RequestInit | undefined, session: Session | null) => {
    const headers = new Headers(init?.headers);
    headers.set('Accept-Language', language());
    if (session) headers.set('Authorization', `Bearer ${session.accessToken}`);
    return options.fetch(input, { ...init, headers });
  };

  return async (input, init) => {
    if (renewing) await renewing.catch(() => null);
    let session = store.get();
    if (session && session.expiresAt - now() < REFRESH_MARGIN_MS) {
      session = await renew(session).catch(() => session);
    }
    const response = await send(input, init, session);
    if (response.status !== 401 || !session) return response;
    const renewed = await renew(session).catch(() => null);
    return renewed ? send(input, init, renewed) : response;
  };
}

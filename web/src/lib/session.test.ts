import { describe, expect, it, vi } from 'vitest';
import { authFetch, SessionStore, type AuthPayloadLike } from './session';

const payload = (n: number, expiresIn = 900): AuthPayloadLike => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresIn,
  user: { id: 'u1', email: 'ann@example.com', locale: 'en' },
  tenant: { id: 't1', slug: 'acme', name: 'Acme', baseCurrency: 'USD' },
});

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

const ok = () => new Response('{"data":{}}', { status: 200 });
const unauthorized = () => new Response('{"errors":[]}', { status: 401 });
const authOf = (init?: RequestInit) => new Headers(init?.headers).get('Authorization');

describe('SessionStore', () => {
  it('keeps the session across a reload through storage', () => {
    const storage = memoryStorage();
    new SessionStore(storage, () => 1000).accept(payload(1));
    const again = new SessionStore(storage);
    expect(again.get()?.accessToken).toBe('access-1');
    expect(again.get()?.expiresAt).toBe(1000 + 900_000);
    again.end('signedOut');
    expect(new SessionStore(storage).get()).toBeNull();
  });
});

describe('authFetch', () => {
  it('sends the bearer token and the language', async () => {
    const store = new SessionStore(null, () => 0);
    store.accept(payload(1));
    const inner = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) => {
      expect(new Headers(init?.headers).get('Accept-Language')).toBe('zh-CN');
      return ok();
    });
    const f = authFetch({ store, refresh: vi.fn(), fetch: inner as typeof fetch, language: () => 'zh-CN', now: () => 0 });
    await f('/graphql', { method: 'POST' });
    expect(authOf(inner.mock.calls[0][1])).toBe('Bearer access-1');
  });

  it('renews a token about to expire before sending, once for concurrent requests', async () => {
    let clock = 0;
    const store = new SessionStore(null, () => clock);
    store.accept(payload(1, 60));
    clock = 45_000; // 15 s left: within the margin
    const refresh = vi.fn(async (token: string) => {
      expect(token).toBe('refresh-1');
      return payload(2);
    });
    const inner = vi.fn(async () => ok());
    const f = authFetch({ store, refresh, fetch: inner as unknown as typeof fetch, language: () => 'en', now: () => clock });
    await Promise.all([f('/graphql'), f('/graphql'), f('/graphql')]);
    expect(refresh).toHaveBeenCalledTimes(1);
    for (const call of inner.mock.calls as unknown as [string, RequestInit][]) expect(authOf(call[1])).toBe('Bearer access-2');
    expect(store.get()?.refreshToken).toBe('refresh-2');
  });

  it('renews and retries once after a 401', async () => {
    const store = new SessionStore(null, () => 0);
    store.accept(payload(1));
    const inner = vi.fn(async (_: RequestInfo | URL, init?: RequestInit) =>
      authOf(init) === 'Bearer access-1' ? unauthorized() : ok(),
    );
    const refresh = vi.fn(async () => payload(2));
    const f = authFetch({ store, refresh, fetch: inner as typeof fetch, language: () => 'en', now: () => 0 });
    const response = await f('/graphql');
    expect(response.status).toBe(200);
    expect(inner).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session as expired when renewal is refused', async () => {
    const store = new SessionStore(null, () => 0);
    store.accept(payload(1));
    const ended = vi.fn();
    store.subscribe(ended);
    const f = authFetch({
      store,
      refresh: async () => null,
      fetch: (async () => unauthorized()) as typeof fetch,
      language: () => 'en',
      now: () => 0,
    });
    const response = await f('/graphql');
    expect(response.status).toBe(401);
    expect(store.get()).toBeNull();
    expect(store.lastEnd).toBe('expired');
    expect(ended).toHaveBeenCalled();
  });

  it('never renews without a session', async () => {
    const store = new SessionStore(null);
    const refresh = vi.fn();
    const f = authFetch({ store, refresh, fetch: (async () => unauthorized()) as typeof fetch, language: () => 'en' });
    expect((await f('/graphql')).status).toBe(401);
    expect(refresh).not.toHaveBeenCalled();
  });
});

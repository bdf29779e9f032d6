// Page state kept in the address's query string (filters, sort, page size),
// so a reload or a return after sign-in shows the same page.
import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';

export interface AddressCodec<S> {
  read: (params: URLSearchParams) => S;
  write: (state: S) => URLSearchParams;
}

/** The query string (with its `?`, or empty) after `patch` is applied to the state in `search`. */
export function patchedSearch<S>(search: string, codec: AddressCodec<S>, patch: Partial<S>): string {
  const next = codec.write({ ...codec.read(new URLSearchParams(search)), ...patch }).toString();
  return next ? `?${next}` : '';
}

/**
 * The state in the address and a function changing part of it.
 *
 * A change applies to the address as it is when the change is made
 * (`window.location`), never to the one last rendered: the router renders
 * a new address in a transition, so for a while after a change the
 * rendered one (and `useSearchParams`' setter, whose updater form is handed
 * the rendered params, not the current ones) is behind. Two changes made
 * within that while, such as two filters committed in quick succession,
 * then lost the first (it came back as it was: the customer list's
 * "total but no rows" after a filter change).
 */
export function useAddressState<S>(codec: AddressCodec<S>): [S, (patch: Partial<S>) => void] {
  const location = useLocation();
  const navigate = useNavigate();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useMemo(() => codec.read(new URLSearchParams(location.search)), [location.search]);
  const change = useCallback(
    (patch: Partial<S>) => {
      const current = typeof window === 'undefined' ? location.search : window.location.search;
      const search = patchedSearch(current, codec, patch);
      if (search !== current) navigate({ search }, { replace: true });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [navigate],
  );
  return [state, change];
}

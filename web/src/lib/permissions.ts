// What the signed-in member may do, from `me.permissions`: the console hides
// actions the role does not allow (the API refuses them all the same).
import { useQuery } from 'urql';
import { MeDocument } from '../features/auth/documents';

export type Permission =
  | 'customers:read'
  | 'customers:write'
  | 'customers:delete'
  | 'admin:members'
  | 'admin:api_keys'
  | 'admin:settings'
  | 'admin:audit'
  | 'orders:read'
  | 'orders:write'
  | 'products:write'
  | 'exchange_rates:write'
  | 'sales:reports'
  | 'deals:read'
  | 'deals:write'
  | 'leads:read'
  | 'leads:write'
  | 'analytics:run'
  | 'cases:read'
  | 'cases:write'
  | 'marketing:read'
  | 'marketing:write';

/** The administration sections, each with the permission it needs. */
export const ADMIN_SECTIONS = [
  ['members', 'admin:members'],
  ['invitations', 'admin:members'],
  ['teams', 'admin:members'],
  ['apiKeys', 'admin:api_keys'],
  ['settings', 'admin:settings'],
  ['audit', 'admin:audit'],
] as const satisfies readonly (readonly [string, Permission])[];

export type AdminSection = (typeof ADMIN_SECTIONS)[number][0];

/** The sections `permissions` open, in menu order. */
export function adminSectionsFor(permissions: readonly string[]): AdminSection[] {
  return ADMIN_SECTIONS.filter(([, p]) => permissions.includes(p)).map(([s]) => s);
}

/**
 * `can(permission)`: whether the member holds it. While `me` is loading
 * (or failed), nothing is allowed, so a button never shows and then vanishes.
 */
export function usePermissions(): { can: (p: Permission) => boolean; loaded: boolean; permissions: readonly string[] } {
  const [{ data }] = useQuery({ query: MeDocument });
  const permissions = data?.me.permissions ?? [];
  return { can: (p) => permissions.includes(p), loaded: !!data, permissions };
}

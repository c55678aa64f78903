import { z } from 'zod';

/**
 * Who may see what on the dashboard. admin: everything and user management; ops: every store;
 * store-manager: one store, enforced by the server in every query (storeScope), never by the UI.
 */
export const dashboardRoles = ['admin', 'ops', 'store-manager'] as const;
export const dashboardRoleSchema = z.enum(dashboardRoles);
export type DashboardRole = z.infer<typeof dashboardRoleSchema>;

/** The logged-in user as the API sees it (kept in the session cookie, re-checked against the users file). */
export interface DashboardUser {
  username: string;
  role: DashboardRole;
  /** Set for store-manager only. */
  storeId: string | null;
}

/**
 * The store filter every query binds as `{store:String}` with `{store:String} = '' OR store_id = ...`:
 * '' (all stores) for admin and ops, the manager's own store otherwise. A requested store outside a
 * manager's scope is refused before any query (see requireStoreAccess in api/store-access.ts).
 */
export function storeScope(user: DashboardUser): string {
  return user.role === 'store-manager' ? (user.storeId ?? '\u0000no-store') : '';
}

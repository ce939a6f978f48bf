import type { Role } from './roles';

/** Who is calling: a signed-in user, or a screen bound to one session. */
export type Principal =
  | { readonly kind: 'user'; readonly userId: number; readonly username: string; readonly roles: readonly Role[]; readonly regionId: number | null }
  | { readonly kind: 'screen'; readonly sessionId: number; readonly roles: readonly ['screen'] };

export function hasAnyRole(principal: Principal | null, roles: readonly Role[]): boolean {
  return principal !== null && principal.roles.some((r) => roles.includes(r));
}

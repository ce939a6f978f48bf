import { ForbiddenError } from '../common/errors';
import type { Role } from './roles';

/** Who is calling: a signed-in user, or a screen bound to one session. */
export type Principal =
  | { readonly kind: 'user'; readonly userId: number; readonly username: string; readonly roles: readonly Role[]; readonly regionId: number | null }
  | { readonly kind: 'screen'; readonly sessionId: number; readonly roles: readonly ['screen'] };

/** The user id of a signed-in person, for the audit trail; null for a screen or nobody. */
export function actorIdOf(principal: Principal | null): number | null {
  return principal?.kind === 'user' ? principal.userId : null;
}

/** The user id of a signed-in person, for writes only a person may make; a screen or nobody is refused (FORBIDDEN). */
export function requireActorId(principal: Principal | null): number {
  if (principal?.kind !== 'user') throw new ForbiddenError();
  return principal.userId;
}

export function hasAnyRole(principal: Principal | null, roles: readonly Role[]): boolean {
  return principal !== null && principal.roles.some((r) => roles.includes(r));
}

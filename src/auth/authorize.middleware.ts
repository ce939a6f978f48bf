import type { MiddlewareFn } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import type { AuthContext } from './context';
import { audienceOf } from './policy';
import type { Principal } from './principal';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Throws unless the context's principal may call the root field `parent.field` according to POLICY. */
export function checkAccess(parent: string, field: string, context: AuthContext): void {
  const audience = audienceOf(parent, field);
  if (audience === 'public') return;
  if (audience === undefined) throw new ForbiddenError(`${parent}.${field} has no access rule`);
  const principal = context.principal;
  if (!principal) throw context.authError ?? new UnauthenticatedError();
  if (!principal.roles.some((r) => audience.includes(r))) throw new ForbiddenError(`${field} needs one of: ${audience.join(', ')}`);
}

/**
 * Enforces POLICY on every root field before its resolver runs; unknown root fields are refused. Subscriptions
 * call checkAccess in their `subscribe` too, since that runs before any resolver.
 */
export const authorize: MiddlewareFn<AuthContext> = ({ context, info }, next) => {
  if (ROOT_TYPES.has(info.parentType.name)) checkAccess(info.parentType.name, info.fieldName, context);
  return next();
};

/** A screen token sees only the session it was issued for; people see every session their role allows. */
export function assertSessionVisible(principal: Principal | null, sessionId: number): void {
  if (principal?.kind === 'screen' && principal.sessionId !== sessionId) throw new ForbiddenError('this screen token is for another session');
}

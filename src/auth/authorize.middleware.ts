import type { MiddlewareFn } from 'type-graphql';
import type { AppContext } from '../app/context';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { audienceOf } from './policy';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Enforces POLICY on every root field before its resolver runs; unknown root fields are refused. */
export const authorize: MiddlewareFn<AppContext> = ({ context, info }, next) => {
  const parent = info.parentType.name;
  if (!ROOT_TYPES.has(parent)) return next();
  const audience = audienceOf(parent, info.fieldName);
  if (audience === 'public') return next();
  if (audience === undefined) throw new ForbiddenError(`${parent}.${info.fieldName} has no access rule`);
  const principal = context.principal;
  if (!principal) throw context.authError ?? new UnauthenticatedError();
  if (!principal.roles.some((r) => audience.includes(r))) {
    throw new ForbiddenError(`${info.fieldName} needs one of: ${audience.join(', ')}`);
  }
  return next();
};

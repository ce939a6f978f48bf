import { assertSessionVisible, checkAccess } from '../../auth/authorize.middleware';
import type { Principal } from '../../auth/principal';
import { BadUserInputError, type AppError } from '../../common/errors';
import { parseId } from '../../common/ids';

/** Who asks, as the access checks read it: no loaders, so a crowd subscribing builds no per-subscriber context. */
export interface Asker {
  principal: Principal | null;
  authError: AppError | null;
}

/**
 * The session a room subscription may follow. Subscriptions authorise here, in `subscribe` (which runs before, and
 * instead of, any resolver middleware), and the live socket's shared room feed calls the same check.
 */
export function visibleSession(asker: Asker, field: 'roomState' | 'roomEvents', rawSessionId: string): number {
  checkAccess('Subscription', field, asker);
  const sessionId = parseId('session', rawSessionId, 'sessionId');
  assertSessionVisible(asker.principal, sessionId);
  return sessionId;
}

/** `roomEvents(afterSeq)`: absent (live only) or a whole number from 0. */
export function checkedAfterSeq(afterSeq: unknown): number | null {
  if (afterSeq === null || afterSeq === undefined) return null;
  if (typeof afterSeq !== 'number' || !Number.isInteger(afterSeq) || afterSeq < 0) throw new BadUserInputError('afterSeq must be 0 or more', 'afterSeq');
  return afterSeq;
}

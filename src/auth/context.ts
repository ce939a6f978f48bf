import type { AppError } from '../common/errors';
import type { Principal } from './principal';

/**
 * What the access checks read from a request: who is calling, and why a token that was sent was refused. Each
 * module's resolvers declare what else they read (their loaders, the room feed) beside their own types; the
 * application's context (app/context.ts) extends every one of them, so the compiler holds them together.
 */
export interface AuthContext {
  principal: Principal | null;
  /** Why a token that was sent was refused; reported by the first field that needs a principal. */
  authError: AppError | null;
}

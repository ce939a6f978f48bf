import type { Principal } from '../auth/principal';
import type { AppError } from '../common/errors';
import type { RoomFeed } from '../modules/room/room-hub';
import type { Loaders } from './loaders';

/** What every resolver receives: who is calling, per-request loaders, and an id that ties logs to the request. */
export interface AppContext {
  principal: Principal | null;
  /** Why a token that was sent was refused; reported by the first field that needs a principal. */
  authError: AppError | null;
  loaders: Loaders;
  requestId: string;
  /** The caller's address (behind the proxy: the forwarded one), for per-address limits. */
  ip: string | null;
  /** After this instant (ms) no further field resolves: the operation timeout. */
  deadline?: number;
  /** The live room feed, for subscriptions (their `subscribe` runs outside any resolver instance). */
  feed: RoomFeed;
}

import type { AuthContext } from '../../auth/context';
import type { ManyLoader } from '../../db/loaders';
import type { RoomEvent } from './room-events';
import type { RoomFeed } from './room-hub';
import type { Review } from './review.entity';

/** What the room's resolvers read from the request: the caller, the per-request loaders and the live feed. */
export interface RoomContext extends AuthContext {
  loaders: {
    /** The SPEECH_INTERRUPTED events of each speech's session log. */
    interruptionsBySpeech: ManyLoader<RoomEvent>;
    reviewsBySpeech: ManyLoader<Review>;
  };
  /** The live room feed, for subscriptions (their `subscribe` runs outside any resolver instance). */
  feed: RoomFeed;
}

import type { AuthContext } from '../../../auth/context';
import type { User } from '../../../auth/user.entity';
import type { ByIdLoader } from '../../../db/loaders';
import type { Speech } from '../../sessions/speech.entity';

/** What the paper tally's resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface PaperTallyContext extends AuthContext {
  loaders: {
    user: ByIdLoader<User>;
    speech: ByIdLoader<Speech>;
  };
}

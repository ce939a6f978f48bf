import type { AuthContext } from '../../auth/context';
import type { ByIdLoader } from '../../db/loaders';
import type { Speech } from '../sessions/speech.entity';

/** What evaluation's resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface EvaluationContext extends AuthContext {
  loaders: {
    speech: ByIdLoader<Speech>;
  };
}

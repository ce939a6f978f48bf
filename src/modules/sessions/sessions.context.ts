import type { AuthContext } from '../../auth/context';
import type { ByIdLoader, ManyLoader } from '../../db/loaders';
import type { Cadre } from '../registry/cadre.entity';
import type { Theme } from '../themes/theme.entity';
import type { Session } from './session.entity';
import type { Speech } from './speech.entity';

/** What the sessions' resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface SessionsContext extends AuthContext {
  loaders: {
    theme: ByIdLoader<Theme>;
    session: ByIdLoader<Session>;
    cadre: ByIdLoader<Cadre>;
    speechesBySession: ManyLoader<Speech>;
  };
}

import type { AuthContext } from '../../auth/context';
import type { User } from '../../auth/user.entity';
import type { ByIdLoader } from '../../db/loaders';

/** What the themes' resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface ThemesContext extends AuthContext {
  loaders: {
    user: ByIdLoader<User>;
  };
}

import type { AuthContext } from '../../auth/context';
import type { User } from '../../auth/user.entity';
import type { ByIdLoader } from '../../db/loaders';

/** What the reports' resolvers read from the request: the caller and the loader of users. */
export interface ReportsContext extends AuthContext {
  loaders: { user: ByIdLoader<User> };
}

import type { AuthContext } from '../../auth/context';
import type { ByIdLoader } from '../../db/loaders';
import type { Region } from './region.entity';

/** What registry's resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface RegistryContext extends AuthContext {
  loaders: {
    region: ByIdLoader<Region>;
  };
}

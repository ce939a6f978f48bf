import type { AuthContext } from '../../auth/context';
import type { ByIdLoader, ManyLoader } from '../../db/loaders';
import type { Indicator } from './indicator.entity';
import type { Cadre } from '../registry/cadre.entity';

/** What briefing's resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface BriefingContext extends AuthContext {
  loaders: {
    cadre: ByIdLoader<Cadre>;
    indicatorsByTheme: ManyLoader<Indicator>;
  };
}

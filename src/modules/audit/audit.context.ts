import type { AuthContext } from '../../auth/context';
import type { User } from '../../auth/user.entity';
import type { ByIdLoader, ManyLoader } from '../../db/loaders';
import type { Claim, Commitment } from '../briefing/briefing.entity';
import type { Audit, Evidence, Finding } from './audit.entity';

/** What audit's resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface AuditContext extends AuthContext {
  loaders: {
    claim: ByIdLoader<Claim>;
    commitment: ByIdLoader<Commitment>;
    user: ByIdLoader<User>;
    findingsByAudit: ManyLoader<Finding>;
    evidenceByFinding: ManyLoader<Evidence>;
    /** The audits of each claim and of each commitment that the caller may see. */
    visibleAuditsByClaim: ManyLoader<Audit>;
    visibleAuditsByCommitment: ManyLoader<Audit>;
  };
}

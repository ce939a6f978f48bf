import type { AuthContext } from '../../auth/context';
import type { ByIdLoader, ManyLoader } from '../../db/loaders';
import type { Cadre } from '../registry/cadre.entity';
import type { Review } from '../room/review.entity';
import type { Commitment } from '../briefing/briefing.entity';
import type { ActionItem, Decision, FindingResponse, ProgressEvidence, ProgressReport, ProgressVerification } from './followup.entity';

/** What the follow-up's resolvers read from the request: the caller and the per-request loaders they batch through. */
export interface FollowUpContext extends AuthContext {
  loaders: {
    cadre: ByIdLoader<Cadre>;
    review: ByIdLoader<Review>;
    commitment: ByIdLoader<Commitment>;
    actionItem: ByIdLoader<ActionItem>;
    progressByActionItem: ManyLoader<ProgressReport>;
    progressByCommitment: ManyLoader<ProgressReport>;
    verificationByProgress: ByIdLoader<ProgressVerification>;
    evidenceByProgress: ManyLoader<ProgressEvidence>;
    responseByFinding: ByIdLoader<FindingResponse>;
    decisionsByFinding: ManyLoader<Decision>;
  };
}

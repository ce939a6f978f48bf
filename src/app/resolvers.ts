import type { ContainerType } from 'type-graphql';
import { AccountResolver } from '../modules/account/account.resolver';
import { AttendanceResolver } from '../modules/attendance/attendance.resolver';
import { AnalyticsResolver, ANALYTICS_RESOLVERS } from '../modules/analytics/analytics.resolver';
import { AuditResolver, FindingResolver } from '../modules/audit/audit.resolver';
import { ClaimAuditsResolver, CommitmentAuditsResolver } from '../modules/audit/briefing-audits.resolver';
import { BriefingResolver, ClaimResolver, CommitmentResolver, ThemeIndicatorsResolver } from '../modules/briefing/briefing.resolver';
import { ActionItemResolver, CommitmentProgressResolver, FindingChainResolver, FollowUpResolver, ProgressReportResolver } from '../modules/followup/followup.resolver';
import { JournalResolver } from '../modules/journal/journal.resolver';
import { ArchiveResolver } from '../modules/archive/archive.resolver';
import { DossierResolver } from '../modules/dossier/dossier.resolver';
import { BlindBallotResolver, EvaluationResolver, EvaluationResultResolver } from '../modules/evaluation/evaluation.resolver';
import { EvaluationPaperTallyResolver, PaperSpeechCountResolver, PaperTallyResolver } from '../modules/evaluation/paper/paper-tally.resolver';
import { ReportSubmissionResolver } from '../modules/reports/report-submission.resolver';
import { RegistryResolver } from '../modules/registry/registry.resolver';
import { RoomResolver } from '../modules/room/room.resolver';
import { ProceedingsResolver } from '../modules/room/proceedings.resolver';
import { SpeechRoomResolver } from '../modules/room/speech-room.resolver';
import { SessionResolver } from '../modules/sessions/session.resolver';
import { SpeechResolver } from '../modules/sessions/speech.resolver';
import { ThemeResolver } from '../modules/themes/theme.resolver';
import { NotificationResolver } from '../modules/notifications/notification.resolver';
import type { Services } from './services';

/**
 * Every resolver of the schema, listed once: its class, and how it is built from the services. The schema is built
 * from the classes (`RESOLVERS`); the server's container hands type-graphql the instances.
 */
const WIRING: readonly (readonly [Function, (s: Services) => object])[] = [
  [AccountResolver, (s) => new AccountResolver(s.accounts)],
  [RegistryResolver, (s) => new RegistryResolver(s.registry)],
  [ThemeResolver, (s) => new ThemeResolver(s.themes)],
  [SessionResolver, (s) => new SessionResolver(s.sessions)],
  [SpeechResolver, () => new SpeechResolver()],
  [SpeechRoomResolver, () => new SpeechRoomResolver()],
  [RoomResolver, (s) => new RoomResolver(s.room, s.comments, s.clock)],
  [ProceedingsResolver, (s) => new ProceedingsResolver(s.proceedings)],
  [AttendanceResolver, (s) => new AttendanceResolver(s.attendance)],
  [EvaluationResolver, (s) => new EvaluationResolver(s.evaluations)],
  [EvaluationResultResolver, () => new EvaluationResultResolver()],
  [BlindBallotResolver, (s) => new BlindBallotResolver(s.blindBallots)],
  [PaperTallyResolver, (s) => new PaperTallyResolver(s.paperTallies)],
  [PaperSpeechCountResolver, () => new PaperSpeechCountResolver()],
  [EvaluationPaperTallyResolver, (s) => new EvaluationPaperTallyResolver(s.paperTallies)],
  [ArchiveResolver, (s) => new ArchiveResolver(s.archives)],
  [DossierResolver, (s) => new DossierResolver(s.dossiers)],
  [BriefingResolver, (s) => new BriefingResolver(s.briefings)],
  [ClaimResolver, () => new ClaimResolver()],
  [CommitmentResolver, () => new CommitmentResolver()],
  [ThemeIndicatorsResolver, () => new ThemeIndicatorsResolver()],
  [AuditResolver, (s) => new AuditResolver(s.audits)],
  [FindingResolver, () => new FindingResolver()],
  [ClaimAuditsResolver, () => new ClaimAuditsResolver()],
  [CommitmentAuditsResolver, (s) => new CommitmentAuditsResolver(s.clock)],
  [JournalResolver, (s) => new JournalResolver(s.ds)],
  [FollowUpResolver, (s) => new FollowUpResolver(s.followUp)],
  [ActionItemResolver, (s) => new ActionItemResolver(s.clock)],
  [ProgressReportResolver, () => new ProgressReportResolver()],
  [CommitmentProgressResolver, () => new CommitmentProgressResolver()],
  [FindingChainResolver, (s) => new FindingChainResolver(s.followUp.responseWindowDays)],
  [AnalyticsResolver, (s) => new AnalyticsResolver(s.analytics)],
  [ReportSubmissionResolver, (s) => new ReportSubmissionResolver(s.reportSubmissions)],
  [NotificationResolver, (s) => new NotificationResolver(s.notifications.service)],
  ...ANALYTICS_RESOLVERS.filter((r) => r !== AnalyticsResolver).map((r) => [r, () => new (r as new () => object)()] as const),
];

export const RESOLVERS: readonly Function[] = WIRING.map(([cls]) => cls);

/** type-graphql asks the container for each resolver class; each is built once with its service. */
export function resolverContainer(s: Services): ContainerType {
  const instances = new Map<Function, object>(WIRING.map(([cls, make]) => [cls, make(s)]));
  return {
    get(cls: Function) {
      const instance = instances.get(cls);
      if (!instance) throw new Error(`resolver ${cls.name} is not wired in app/resolvers.ts`);
      return instance;
    },
  };
}

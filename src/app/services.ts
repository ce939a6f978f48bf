import type { DataSource } from 'typeorm';
import { TokenService } from '../auth/tokens';
import type { Clock } from '../common/clock';
import { MemoryRateStore, RateStore } from '../common/rate-limiter';
import { DEFAULT_COMMENDATION_WINDOW_DAYS, DEFAULT_RESPONSE_WINDOW_DAYS, type Config } from '../config/config';
import { FollowUpService } from '../modules/followup/followup.service';
import { AccountService } from '../modules/account/account.service';
import { AnalyticsService } from '../modules/analytics/analytics.service';
import { AttendanceService } from '../modules/attendance/attendance.service';
import { AuditService } from '../modules/audit/audit.service';
import { BriefingService } from '../modules/briefing/briefing.service';
import { ArchiveService } from '../modules/archive/archive.service';
import { DossierService } from '../modules/dossier/dossier.service';
import { EvaluationService } from '../modules/evaluation/evaluation.service';
import { BlindBallotService } from '../modules/evaluation/blind-ballot.service';
import { PaperTallyService } from '../modules/evaluation/paper/paper-tally.service';
import { DEFAULT_TALLY_CONFIG } from '../modules/evaluation/tally';
import { ReportSubmissionService } from '../modules/reports/report-submission.service';
import { RegistryService } from '../modules/registry/registry.service';
import { CommentService, DEFAULT_COMMENT_RATE_LIMITS } from '../modules/room/comment.service';
import { RoomHub } from '../modules/room/room-hub';
import { RoomTimeKeeper } from '../modules/room/room-time-keeper';
import { RoomService } from '../modules/room/room.service';
import { ProceedingsService } from '../modules/room/proceedings.service';
import { SessionService } from '../modules/sessions/session.service';
import { ThemeService } from '../modules/themes/theme.service';
import { DEFAULT_NOTIFICATION_SETTINGS, Notifications } from '../modules/notifications/notifications';
import type { PubSub } from '../pubsub/pubsub';
import type { Logger } from '../common/logger';

export interface ServiceDeps {
  ds: DataSource;
  config: Pick<Config, 'jwtSecret'> & Partial<Pick<Config, 'tally' | 'evaluationQuorum' | 'ballotMode' | 'commendationWindowDays' | 'responseWindowDays' | 'commentRateLimits' | 'publicUrl' | 'notifications'>>;
  clock: Clock;
  pubsub: PubSub;
  logger: Logger;
  /** How often a room with subscribers re-reads its log even without a wake-up (ms). */
  roomPollMs?: number;
  /** Where rate limits count: in this process, or in Redis to share them between instances. */
  rates?: RateStore;
}

/** Wires the services once per process; resolvers get theirs through the container below. */
export function createServices({ ds, config, clock, pubsub, logger, roomPollMs, rates = new MemoryRateStore(clock) }: ServiceDeps) {
  const tokens = new TokenService(config.jwtSecret, clock);
  const themes = new ThemeService(ds, clock);
  const hub = new RoomHub(ds, pubsub, logger, roomPollMs);
  const room = new RoomService(ds, clock, hub);
  const briefings = new BriefingService(ds, clock);
  const audits = new AuditService(ds, clock);
  const timeKeeper = new RoomTimeKeeper(hub, clock, (sessionId) => room.recordTimeUp(sessionId), logger);
  const attendance = new AttendanceService(ds, clock, room, config.jwtSecret, rates, config.publicUrl ?? '', logger);
  const evaluations = new EvaluationService(ds, clock, room, config.jwtSecret, config.tally ?? DEFAULT_TALLY_CONFIG, rates, {
    logger,
    quorum: config.evaluationQuorum,
    ballotMode: config.ballotMode,
  });
  const blindBallots = new BlindBallotService(ds, evaluations, rates);
  evaluations.onClosed = (sessionId) => blindBallots.forget(sessionId);
  const notifications = new Notifications(ds, clock, pubsub, logger, config.notifications ?? DEFAULT_NOTIFICATION_SETTINGS);
  return {
    ds,
    clock,
    tokens,
    accounts: new AccountService(ds, tokens, clock, rates, logger, { publicUrl: config.publicUrl }),
    registry: new RegistryService(ds, clock),
    themes,
    sessions: new SessionService(ds, clock, themes, room, (sessionId, actorId) => attendance.recount(sessionId, actorId)),
    attendance,
    proceedings: new ProceedingsService(ds, room),
    hub,
    room,
    timeKeeper,
    comments: new CommentService(ds, clock, room, rates, config.commentRateLimits ?? DEFAULT_COMMENT_RATE_LIMITS),
    rates,
    archives: new ArchiveService(ds, clock),
    dossiers: new DossierService(ds, clock, briefings, audits, config.commendationWindowDays ?? DEFAULT_COMMENDATION_WINDOW_DAYS),
    briefings,
    audits,
    analytics: new AnalyticsService(ds, clock),
    reportSubmissions: new ReportSubmissionService(ds, clock),
    followUp: new FollowUpService(ds, clock, { responseWindowDays: config.responseWindowDays ?? DEFAULT_RESPONSE_WINDOW_DAYS }),
    /** Notices: the feed, the notifier and the due-date job (started by the server), the queries. */
    notifications,
    evaluations,
    /** The blind ballot box (BLIND mode): tokens and anonymous ballots. */
    blindBallots,
    /** The hand-counted paper ballots (纸质票): entered, confirmed by a second person, added at the close. */
    paperTallies: new PaperTallyService(ds, clock),
    /** Stops the timers and records the ballots still waiting to be recorded in their rooms. */
    close(): Promise<void> {
      timeKeeper.close();
      return Promise.all([this.evaluations.close(), attendance.close(), notifications.close()]).finally(() => hub.close()).then(() => undefined);
    },
  };
}

export type Services = ReturnType<typeof createServices>;

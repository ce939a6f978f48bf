import type { DataSource } from 'typeorm';
import type { ContainerType } from 'type-graphql';
import { TokenService } from '../auth/tokens';
import type { Clock } from '../common/clock';
import { MemoryRateStore, RateStore } from '../common/rate-limiter';
import { DEFAULT_COMMENDATION_WINDOW_DAYS, type Config } from '../config/config';
import { AccountResolver } from '../modules/account/account.resolver';
import { AccountService } from '../modules/account/account.service';
import { AnalyticsResolver, ANALYTICS_RESOLVERS } from '../modules/analytics/analytics.resolver';
import { AnalyticsService } from '../modules/analytics/analytics.service';
import { AuditResolver, FindingResolver } from '../modules/audit/audit.resolver';
import { AuditService } from '../modules/audit/audit.service';
import { ClaimAuditsResolver, CommitmentAuditsResolver } from '../modules/audit/briefing-audits.resolver';
import { BriefingResolver, ClaimResolver, CommitmentResolver } from '../modules/briefing/briefing.resolver';
import { BriefingService } from '../modules/briefing/briefing.service';
import { JournalResolver } from '../modules/journal/journal.resolver';
import { ArchiveResolver } from '../modules/archive/archive.resolver';
import { ArchiveService } from '../modules/archive/archive.service';
import { DossierResolver } from '../modules/dossier/dossier.resolver';
import { DossierService } from '../modules/dossier/dossier.service';
import { EvaluationResolver, EvaluationResultResolver } from '../modules/evaluation/evaluation.resolver';
import { EvaluationService } from '../modules/evaluation/evaluation.service';
import { DEFAULT_TALLY_CONFIG } from '../modules/evaluation/tally';
import { RegistryResolver } from '../modules/registry/registry.resolver';
import { RegistryService } from '../modules/registry/registry.service';
import { CommentService, DEFAULT_COMMENT_RATE_LIMITS } from '../modules/room/comment.service';
import { RoomHub } from '../modules/room/room-hub';
import { RoomTimeKeeper } from '../modules/room/room-time-keeper';
import { RoomResolver } from '../modules/room/room.resolver';
import { RoomService } from '../modules/room/room.service';
import { SpeechRoomResolver } from '../modules/room/speech-room.resolver';
import { SessionResolver } from '../modules/sessions/session.resolver';
import { SessionService } from '../modules/sessions/session.service';
import { SpeechResolver } from '../modules/sessions/speech.resolver';
import { ThemeResolver } from '../modules/themes/theme.resolver';
import { ThemeService } from '../modules/themes/theme.service';
import type { PubSub } from '../pubsub/pubsub';
import type { Logger } from '../common/logger';

export interface ServiceDeps {
  ds: DataSource;
  config: Pick<Config, 'jwtSecret'> & Partial<Pick<Config, 'tally' | 'commendationWindowDays' | 'commentRateLimits'>>;
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
  return {
    ds,
    clock,
    tokens,
    accounts: new AccountService(ds, tokens, clock, rates),
    registry: new RegistryService(ds, clock),
    themes,
    sessions: new SessionService(ds, clock, themes, room),
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
    evaluations: new EvaluationService(ds, clock, room, config.jwtSecret, config.tally ?? DEFAULT_TALLY_CONFIG, rates),
    close() {
      timeKeeper.close();
      hub.close();
    },
  };
}

export type Services = ReturnType<typeof createServices>;

/** type-graphql asks the container for each resolver class; each is built once with its service. */
export function resolverContainer(s: Services): ContainerType {
  const instances = new Map<Function, object>([
    [AccountResolver, new AccountResolver(s.accounts)],
    [RegistryResolver, new RegistryResolver(s.registry)],
    [ThemeResolver, new ThemeResolver(s.themes)],
    [SessionResolver, new SessionResolver(s.sessions)],
    [SpeechResolver, new SpeechResolver()],
    [SpeechRoomResolver, new SpeechRoomResolver()],
    [RoomResolver, new RoomResolver(s.room, s.comments, s.clock)],
    [EvaluationResolver, new EvaluationResolver(s.evaluations)],
    [EvaluationResultResolver, new EvaluationResultResolver()],
    [ArchiveResolver, new ArchiveResolver(s.archives)],
    [DossierResolver, new DossierResolver(s.dossiers)],
    [BriefingResolver, new BriefingResolver(s.briefings)],
    [ClaimResolver, new ClaimResolver()],
    [CommitmentResolver, new CommitmentResolver()],
    [AuditResolver, new AuditResolver(s.audits)],
    [FindingResolver, new FindingResolver()],
    [ClaimAuditsResolver, new ClaimAuditsResolver()],
    [CommitmentAuditsResolver, new CommitmentAuditsResolver(s.clock)],
    [JournalResolver, new JournalResolver(s.ds)],
    [AnalyticsResolver, new AnalyticsResolver(s.analytics)],
    ...ANALYTICS_RESOLVERS.filter((r) => r !== AnalyticsResolver).map((r): [Function, object] => [r, new (r as new () => object)()]),
  ]);
  return {
    get(cls: Function) {
      const instance = instances.get(cls);
      if (!instance) throw new Error(`resolver ${cls.name} is not wired in resolverContainer`);
      return instance;
    },
  };
}

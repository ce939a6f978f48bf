import { Initial1795721706386 } from './1795721706386-Initial';
import { LiveRoom1795722571928 } from './1795722571928-LiveRoom';
import { EvaluationAndArchive1795722962130 } from './1795722962130-EvaluationAndArchive';
import { AuditsAndJournal1795723389479 } from './1795723389479-AuditsAndJournal';
import { AnalyticsProjections1795723648640 } from './1795723648640-AnalyticsProjections';
import { AnalyticsCoveringIndexes1795724733745 } from './1795724733745-AnalyticsCoveringIndexes';
import { SignInThrottleAndLinks1795725600000 } from './1795725600000-SignInThrottleAndLinks';
import { HallAttendanceAndQuorum1795812000000 } from './1795812000000-HallAttendanceAndQuorum';
import { UserPhone1795900000000 } from './1795900000000-UserPhone';
import { DeskReportSubmissions1795900000001 } from './1795900000001-DeskReportSubmissions';
import { SharedIndicators1795900000002 } from './1795900000002-SharedIndicators';
import { FollowUp1795900000003 } from './1795900000003-FollowUp';
import { Notifications1795900000004 } from './1795900000004-Notifications';
import { BlindBallots1795900000005 } from './1795900000005-BlindBallots';
import { PaperBallots1795900000006 } from './1795900000006-PaperBallots';

/** Migrations in the order they apply. Listed explicitly so compiled code and tests load the same set. */
export const MIGRATIONS: Function[] = [Initial1795721706386, LiveRoom1795722571928, EvaluationAndArchive1795722962130, AuditsAndJournal1795723389479, AnalyticsProjections1795723648640, AnalyticsCoveringIndexes1795724733745, SignInThrottleAndLinks1795725600000, HallAttendanceAndQuorum1795812000000, UserPhone1795900000000, DeskReportSubmissions1795900000001, SharedIndicators1795900000002, FollowUp1795900000003, Notifications1795900000004, BlindBallots1795900000005, PaperBallots1795900000006];

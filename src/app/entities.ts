import { User } from '../auth/user.entity';
import { InterruptionRow, SpeechResultRow } from '../modules/analytics/projections.entity';
import { Archive } from '../modules/archive/archive.entity';
import { Audit, Evidence, Finding } from '../modules/audit/audit.entity';
import { Claim, Commitment } from '../modules/briefing/briefing.entity';
import { Indicator } from '../modules/briefing/indicator.entity';
import { BallotGrade, BallotKeyRow, Evaluation, EvaluationVoter, SpentBallotToken } from '../modules/evaluation/evaluation.entity';
import { PaperSpeechCount, PaperTally } from '../modules/evaluation/paper/paper-tally.entity';
import { JournalEntry, JournalHead } from '../modules/journal/journal.entity';
import { SignInFailure, SignInLink } from '../modules/account/sign-in.entity';
import { Cadre } from '../modules/registry/cadre.entity';
import { Region } from '../modules/registry/region.entity';
import { Comment } from '../modules/room/comment.entity';
import { Review } from '../modules/room/review.entity';
import { RoomEventRecord } from '../modules/room/room-event.entity';
import { Attendee } from '../modules/sessions/attendee.entity';
import { Session } from '../modules/sessions/session.entity';
import { Speech } from '../modules/sessions/speech.entity';
import { ThemeCall } from '../modules/themes/theme-call.entity';
import { Theme } from '../modules/themes/theme.entity';
import { ReportSubmission } from '../modules/reports/report-submission.entity';
import { Notification, NotificationCursor } from '../modules/notifications/notification.entity';
import { ActionItem, Decision, FindingResponse, ProgressEvidence, ProgressReport, ProgressVerification } from '../modules/followup/followup.entity';

/** Every entity, listed once, so the server, the migration CLI and the tests build the data source on the same model. */
export const ENTITIES = [User, Region, Cadre, ThemeCall, Theme, Session, Speech, Attendee, RoomEventRecord, Comment, Review, Evaluation, EvaluationVoter, BallotGrade, BallotKeyRow, SpentBallotToken, PaperTally, PaperSpeechCount, Archive, Claim, Commitment, Indicator, Audit, Finding, Evidence, JournalEntry, JournalHead, SpeechResultRow, InterruptionRow, SignInFailure, SignInLink, ReportSubmission, ActionItem, ProgressReport, ProgressEvidence, ProgressVerification, FindingResponse, Decision, Notification, NotificationCursor];

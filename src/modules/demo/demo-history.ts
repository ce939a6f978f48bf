import { DataSource, EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { User } from '../../auth/user.entity';
import { sha256Hex } from '../../common/canonical';
import { VERDICT_ZH } from '../../common/labels-zh';
import { ManualClock } from '../../common/clock';
import { inTransaction } from '../../db/transaction';
import { sealSessionIn } from '../archive/archive.service';
import { markAttendanceIn } from '../attendance/attendance-steps';
import { DEFAULT_EVALUATION_QUORUM } from '../../config/config';
import { Audit, AuditMethod, AuditStatus, Evidence, Finding, Verdict } from '../audit/audit.entity';
import { Claim, Commitment } from '../briefing/briefing.entity';
import { castBallotIn, closeEvaluationIn, openEvaluationIn, publishEvaluationIn, speechesToGrade } from '../evaluation/evaluation-steps';
import { excellentQuota, Grade } from '../room/results';
import { DEFAULT_TALLY_CONFIG } from '../evaluation/tally';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { Comment, CommentStatus } from '../room/comment.entity';
import type { RoomCommand } from '../room/room-decider';
import type { InterruptionReason } from '../room/room-events';
import { loadRoomState, runRoomCommand } from '../room/room-log';
import type { RoomState } from '../room/room-state';
import { Review, ReviewTone } from '../room/review.entity';
import { readTimer } from '../room/timer';
import { Attendee } from '../sessions/attendee.entity';
import { replaceLineup } from '../sessions/lineup';
import { RoomPhase } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { Theme } from '../themes/theme.entity';
import { Indicator } from '../briefing/indicator.entity';
import { DEMO_INDICATORS } from './demo-world.data';

export interface HistoryOptions {
  /** Sessions to generate after the existing ones (stops before reaching `now`). */
  sessions: number;
  /** When the first generated session starts, and how many days apart they are. */
  firstAt: Date;
  everyDays: number;
  /** How many voter accounts (voter01…) attend each session, besides the speakers. */
  voters: number;
  commentsPerSession: number;
  /** Deterministic randomness: the same seed gives the same history. */
  seed: number;
  /** The present: nothing is generated at or after it; audits and findings only up to it. */
  now: Date;
  /** Commitments per speech on average (1 to 2; default 1). */
  commitmentsPerSpeech?: number;
  /** Share of claims audited (default 0.3) and of commitments past due audited (default 0.7). */
  claimAuditRate?: number;
  commitmentAuditRate?: number;
}

/** mulberry32: small, fast, seedable; the demo must be the same on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const INDICATORS = DEMO_INDICATORS.map((i) => i.name);
const UNITS = DEMO_INDICATORS.map((i) => i.unit);
const REVIEW_TEXTS: Record<ReviewTone, string> = {
  PRAISE: '思路清晰，数据扎实，值得各地学习借鉴。',
  CRITICISM: '汇报虚话较多，短板分析不够深入，要找准差距。',
  DIRECTIVE: '要提前谋划明年重大项目招商引资，超常发力。',
  SUGGESTION: '应注意用好承德民宿标识，推动品牌建设。',
};
const COMMENTS = ['请问项目资金到位率是多少？', '这个数据的统计口径是什么？', '民宿床位的入住率如何？', '下一步的时间表能否更具体？', '整改问题有没有回头看？'];

interface Cast {
  chairId: number;
  adminId: number;
  auditorId: number;
  leaders: User[];
  voters: User[];
}

/**
 * The demo's history: runs sessions from their line-up to a sealed archive through the same room commands,
 * evaluation steps and archive sealing as the live system, under a clock set to the session's date — speeches with
 * pauses, interruptions and overtime, commentary, comments, secret ballots with the one-third quota, published
 * results — then files briefings and audits them. Each session is one transaction. Cadres have a steady "form" so
 * rankings mean something.
 */
export async function generateHistory(ds: DataSource, options: HistoryOptions): Promise<number> {
  const cast = await castOf(ds, options.voters);
  if (!cast) return 0;
  let made = 0;
  const pending = await ds.getRepository(Session).find({ where: { phase: RoomPhase.SCHEDULED, startsAt: LessThan(options.now) }, order: { number: 'ASC' } });
  for (const session of pending) {
    await inTransaction(ds, (m) => runSession(m, session, cast, options));
    made += 1;
  }
  const themes = await ds.getRepository(Theme).find({ order: { id: 'ASC' } });
  const regions = await ds.getRepository(Region).find({ order: { id: 'ASC' } });
  const cadres = await ds.getRepository(Cadre).find({ order: { id: 'ASC' } });
  for (let k = 0; k < options.sessions; k++) {
    const startsAt = new Date(options.firstAt.getTime() + k * options.everyDays * DAY);
    if (startsAt.getTime() >= options.now.getTime()) break;
    const created = await inTransaction(ds, async (m) => {
      if (await m.getRepository(Session).existsBy({ startsAt })) return false;
      const last = await m.getRepository(Session).find({ order: { number: 'DESC' }, take: 1 });
      const number = (last[0]?.number ?? 0) + 1;
      const session = await m.save(Session, m.create(Session, {
        number,
        title: `第${number}期“牢记总书记嘱托、聚力高质量发展”大培训、大比拼（演示数据）`,
        themeId: themes[k % themes.length].id,
        startsAt,
        venue: '承德市委党校报告厅',
        phase: RoomPhase.SCHEDULED,
      }));
      const lineup = regions.map((r, i) => {
        const own = cadres.filter((c) => c.regionId === r.id);
        return { cadreId: own[(k + i) % own.length].id, allottedSeconds: 300 };
      });
      const clock = new ManualClock(startsAt.getTime() - 7 * DAY);
      await runRoomCommand(m, session.id, cast.adminId, clock, async (tx) => ({ type: 'SET_LINEUP', entries: await replaceLineup(tx, session.id, lineup) }));
      const speakers = (await m.getRepository(Cadre).findBy({ id: In(lineup.map((l) => l.cadreId)) })).flatMap((c) => (c.userId ? [c.userId] : []));
      const attendees = [...new Set([...cast.voters.map((v) => v.id), ...speakers])];
      await m.getRepository(Attendee).insert(attendees.map((userId) => ({ sessionId: session.id, userId })));
      const next = startsAt.getTime() + options.everyDays * DAY;
      await runSession(m, session, cast, options, k === options.sessions - 1 || next >= options.now.getTime());
      return true;
    });
    if (created) made += 1;
  }
  return made;
}

async function castOf(ds: DataSource, voterCount: number): Promise<Cast | null> {
  const users = await ds.getRepository(User).find({ order: { id: 'ASC' } });
  const byName = new Map(users.map((u) => [u.username, u]));
  const chair = byName.get('chair');
  const admin = byName.get('admin');
  const auditor = byName.get('auditor');
  if (!chair || !admin || !auditor) return null;
  return {
    chairId: chair.id,
    adminId: admin.id,
    auditorId: auditor.id,
    leaders: users.filter((u) => /^leader\d+$/.test(u.username)),
    voters: users.filter((u) => /^voter\d+$/.test(u.username)).slice(0, voterCount),
  };
}

/** A cadre's steady form in [0, 1): how well they tend to be graded, how disciplined they speak. */
function formOf(cadreId: number): number {
  return rng(cadreId * 7919)();
}

async function runSession(m: EntityManager, session: Session, cast: Cast, o: HistoryOptions, latest = false): Promise<void> {
  const random = rng(o.seed * 1000 + session.number);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const clock = new ManualClock(session.startsAt);
  let state: RoomState = await loadRoomState(m, session.id);
  const run = async (actorId: number | null, prepare: (tx: EntityManager, s: RoomState) => Promise<RoomCommand>) => {
    state = (await runRoomCommand(m, session.id, actorId, clock, prepare, state)).state;
  };
  const command = (actorId: number | null, c: RoomCommand) => run(actorId, async () => c);
  const chair = cast.chairId;

  // The hall checks in before the start; one in twenty-five stays away.
  const registered = await m.getRepository(Attendee).find({ where: { sessionId: session.id }, order: { userId: 'ASC' } });
  const came = registered.filter(() => random() >= 0.04).map((a) => a.userId);
  await run(chair, (tx) => markAttendanceIn(tx, session.id, came, true, clock.now()));
  await command(chair, { type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
  // Form on the day: the cadre's steady form, with room for a good or a bad day.
  const dayForm = new Map(state.speeches.map((s) => [s.cadreId, formOf(s.cadreId) * 0.55 + random() * 0.45]));
  const commentAt = new Set(Array.from({ length: o.commentsPerSession }, () => Math.floor(random() * state.speeches.length)));
  let commentsLeft = o.commentsPerSession;
  for (const speech of state.speeches) {
    const form = dayForm.get(speech.cadreId)!;
    await command(chair, { type: 'START_SPEECH', speechId: speech.speechId });
    const target = speech.allottedMs * (0.7 + (1 - form) * 0.4 + random() * 0.15);
    if (random() < 0.1) {
      clock.advance(target * 0.4);
      await command(chair, { type: 'PAUSE_SPEECH' });
      clock.advance(20_000 + random() * 40_000);
      await command(chair, { type: 'RESUME_SPEECH' });
    }
    const interrupt = random() < 0.08 + (1 - form) * 0.12;
    if (interrupt) {
      clock.advance(target * 0.3);
      const reason: InterruptionReason = pick(['EMPTY_TALK', 'EMPTY_TALK', 'OFF_TOPIC', 'OVERTIME']);
      const cutOff = random() < 0.3;
      await command(chair, { type: 'INTERRUPT_SPEECH', reason, note: reason === 'EMPTY_TALK' ? '请直接讲干货' : null, cutOff });
      if (cutOff) continue;
    }
    const reading = readTimer(state.current!.timer, clock.now().getTime());
    const toEnd = Math.max(MINUTE, target - reading.elapsedMs);
    if (reading.elapsedMs + toEnd > reading.allottedMs + reading.extendedMs && reading.endsAt !== null) {
      clock.set(reading.endsAt);
      await command(null, { type: 'RECORD_TIME_UP' });
      clock.set(reading.endsAt + (reading.elapsedMs + toEnd - reading.allottedMs - reading.extendedMs));
    } else {
      clock.advance(toEnd);
    }
    await command(chair, { type: 'END_SPEECH' });
    if (random() < 0.6) {
      const leader = pick(cast.leaders);
      const tone = pick(Object.values(ReviewTone));
      await run(leader.id, async (tx) => {
        const review = await tx.save(Review, tx.create(Review, { sessionId: session.id, speechId: speech.speechId, authorId: leader.id, authorName: leader.displayName, tone, body: REVIEW_TEXTS[tone], at: clock.now() }));
        return { type: 'POST_REVIEW', reviewId: review.id, speechId: speech.speechId, tone, authorName: leader.displayName, body: review.body };
      });
    }
    const here = commentAt.has(speech.order - 1) ? Math.ceil(o.commentsPerSession / Math.max(1, commentAt.size)) : 0;
    for (let c = 0; c < here && commentsLeft > 0; c++, commentsLeft--) {
      const author = pick(cast.voters);
      clock.advance(1000);
      let saved: Comment | null = null;
      await run(author.id, async (tx) => {
        saved = await tx.save(Comment, tx.create(Comment, { sessionId: session.id, speechId: speech.speechId, authorId: author.id, authorName: author.displayName, body: pick(COMMENTS), status: CommentStatus.PENDING, clientId: null, postedAt: clock.now() }));
        return { type: 'POST_COMMENT', commentId: saved.id, speechId: speech.speechId, approved: null };
      });
      const approve = random() < 0.8;
      const row = saved!;
      await command(chair, {
        type: 'MODERATE_COMMENT',
        commentId: row.id,
        approved: approve ? { commentId: row.id, body: row.body, authorName: row.authorName, speechId: row.speechId, postedAt: row.postedAt.getTime() } : null,
      });
    }
    clock.advance(30_000);
  }
  for (const to of [RoomPhase.EXCHANGE, RoomPhase.SUMMARY, RoomPhase.EVALUATION]) {
    clock.advance(10 * MINUTE);
    await command(chair, { type: 'ADVANCE_PHASE', to });
  }
  await run(chair, (tx) => openEvaluationIn(tx, session.id, clock, DEFAULT_EVALUATION_QUORUM));
  const voters = await m.getRepository(Attendee).find({ where: { sessionId: session.id, checkedInAt: Not(IsNull()) }, order: { userId: 'ASC' } });
  for (const voter of voters) {
    if (random() < 0.03) continue;
    clock.advance(2000);
    const toGrade = await speechesToGrade(m, state, voter.userId);
    const lines = ballot(toGrade.map((id) => state.speeches.find((s) => s.speechId === id)!), dayForm, random);
    await run(null, (tx, s) => castBallotIn(tx, s, session.id, voter.userId, lines, null));
  }
  clock.advance(5 * MINUTE);
  await run(chair, (tx, s) => closeEvaluationIn(tx, s, session.id, clock, DEFAULT_TALLY_CONFIG));
  await run(chair, (tx) => publishEvaluationIn(tx, session.id, clock));
  await command(chair, { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED });
  await fileBriefingsAndAudits(m, session, state, cast, o, random, latest);
  clock.advance(DAY);
  await sealSessionIn(m, session.id, cast.adminId, clock);
}

/** A voter's grades: by each speaker's form on the day plus the voter's own view, at most a third EXCELLENT. */
function ballot(speeches: readonly { speechId: number; cadreId: number }[], dayForm: Map<number, number>, random: () => number) {
  const scored = speeches.map((s) => ({ speechId: s.speechId, score: dayForm.get(s.cadreId)! * 0.7 + random() * 0.4 })).sort((a, b) => b.score - a.score);
  const quota = excellentQuota(scored.length);
  return scored.map((s, i) => ({
    speechId: s.speechId,
    grade: i < quota && s.score > 0.6 ? Grade.EXCELLENT : s.score > 0.45 ? Grade.GOOD : s.score > 0.25 ? Grade.AVERAGE : Grade.POOR,
  }));
}

/**
 * A figure and a promise per speech, and audits of some of them, found and published before `now`. Figures are
 * filed against the theme's shared indicators. In the latest session of the history the last speaker's figure is
 * found falsified, so that the indicator comparison always has a falsified latest value to mark.
 */
async function fileBriefingsAndAudits(m: EntityManager, session: Session, state: RoomState, cast: Cast, o: HistoryOptions, random: () => number, latest: boolean): Promise<void> {
  const speeches = await m.getRepository(Speech).findBy({ sessionId: session.id });
  const shared = new Map((await m.getRepository(Indicator).findBy({ themeId: session.themeId })).map((i) => [i.name, i.id]));
  const recordedAt = new Date(session.startsAt.getTime() - 2 * DAY);
  for (const progress of state.speeches) {
    const speech = speeches.find((s) => s.id === progress.speechId)!;
    const form = formOf(speech.cadreId);
    const i = Math.floor(random() * INDICATORS.length);
    const common = { sessionId: session.id, speechId: speech.id, cadreId: speech.cadreId, version: 1, recordedById: cast.adminId, recordedAt };
    const claim = await m.save(Claim, m.create(Claim, { ...common, indicator: INDICATORS[i], indicatorId: shared.get(INDICATORS[i]) ?? null, value: Math.round(10 + random() * 990), unit: UNITS[i], asOf: recordedAt, note: '演示数据' }));
    const audited: { subject: Claim | Commitment; at: Date; verdict: Verdict }[] = [];
    const extra = (o.commitmentsPerSpeech ?? 1) - 1;
    for (let c = 0; c < 1 + (random() < extra ? 1 : 0); c++) {
      const dueAt = new Date(session.startsAt.getTime() + (180 + Math.floor(random() * 360)) * DAY);
      const commitment = await m.save(Commitment, m.create(Commitment, { ...common, title: `推进${INDICATORS[(i + c) % INDICATORS.length]}（演示数据）`, target: `一年内${INDICATORS[(i + c) % INDICATORS.length]}提升${10 + Math.floor(random() * 40)}%`, dueAt }));
      if (dueAt.getTime() + 30 * DAY < o.now.getTime() && random() < (o.commitmentAuditRate ?? 0.7)) {
        const roll = random() + form * 0.4;
        const verdict = roll > 0.7 ? Verdict.VERIFIED : roll > 0.45 ? Verdict.PARTIAL : roll > 0.08 ? Verdict.NOT_FULFILLED : Verdict.FALSIFIED;
        audited.push({ subject: commitment, at: new Date(dueAt.getTime() + Math.floor(random() * 30) * DAY), verdict });
      }
    }
    const claimCheckedAt = new Date(session.startsAt.getTime() + 30 * DAY);
    if (latest && progress === state.speeches.at(-1)) {
      const at = new Date(Math.min(claimCheckedAt.getTime(), (session.startsAt.getTime() + o.now.getTime()) / 2));
      audited.push({ subject: claim, at, verdict: Verdict.FALSIFIED });
    } else if (claimCheckedAt.getTime() < o.now.getTime() && random() < (o.claimAuditRate ?? 0.3)) {
      const verdict = random() + form * 0.3 > 0.12 ? Verdict.VERIFIED : Verdict.FALSIFIED;
      audited.push({ subject: claim, at: claimCheckedAt, verdict });
    }
    for (const a of audited) {
      const isClaim = a.subject instanceof Claim;
      const audit = await m.save(Audit, m.create(Audit, {
        claimId: isClaim ? a.subject.id : null,
        commitmentId: isClaim ? null : a.subject.id,
        cadreId: speech.cadreId,
        sessionId: session.id,
        regionId: speech.regionId,
        method: Object.values(AuditMethod)[Math.floor(random() * 4)],
        auditorId: cast.auditorId,
        dueAt: a.at,
        status: AuditStatus.CLOSED,
        assignedById: cast.adminId,
        assignedAt: new Date(a.at.getTime() - 20 * DAY),
        withdrawReason: null,
      }));
      const finding = await m.save(Finding, m.create(Finding, {
        auditId: audit.id,
        cadreId: speech.cadreId,
        verdict: a.verdict,
        summary: `核查结论（演示数据）：${VERDICT_ZH[a.verdict]}`,
        submittedById: cast.auditorId,
        submittedAt: new Date(a.at.getTime() - 2 * DAY),
        publishedAt: a.at,
        publishedById: cast.adminId,
        supersedesId: null,
        correctionReason: null,
        supersededAt: null,
      }));
      await m.getRepository(Evidence).insert({ findingId: finding.id, kind: 'DOCUMENT', description: '台账与现场照片（演示数据）', sha256: sha256Hex(`demo evidence of finding ${finding.id}`), capturedAt: new Date(a.at.getTime() - 3 * DAY), location: '承德市' });
      await m.getRepository(isClaim ? Claim : Commitment).update({ id: a.subject.id }, { latestVerdict: a.verdict, verdictPublishedAt: a.at });
    }
  }
}

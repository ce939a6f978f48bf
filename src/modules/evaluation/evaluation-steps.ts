import { randomInt, randomUUID } from 'node:crypto';
import { EntityManager, In, IsNull, Not, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Clock } from '../../common/clock';
import { shareLockClause, writeLock } from '../../db/transaction';
import { SpeechResultRow } from '../analytics/projections.entity';
import { Cadre } from '../registry/cadre.entity';
import type { RoomCommand } from '../room/room-decider';
import type { PublishedResult } from '../room/room-events';
import type { RoomState } from '../room/room-state';
import { EvaluationStatus, Grade } from '../room/results';
import { refuseEvaluationStep } from '../room/evaluation-lifecycle';
import { Attendee } from '../sessions/attendee.entity';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { SpeechStatus } from '../sessions/session-enums';
import { BallotLine, checkBallot } from './ballot';
import { BallotGrade, BallotKeyRow, BallotMode, Evaluation, EvaluationVoter, SpentBallotToken } from './evaluation.entity';
import { BallotModeMismatchError, EvaluationAlreadyVotedError, EvaluationNotEntitledError, EvaluationQuorumNotMetError } from './evaluation.errors';
import { emptyCounts, GradeCounts, tally, TallyConfig, TallyResult } from './tally';
import { paperCountsIn, withPaperCounts } from './paper/paper-counts';
import { GENERAL } from './blind/ballot-keys';
import { keyFingerprint } from './blind/ballot-token';

/**
 * The evaluation's writes. Opening, closing and publishing run inside the room's command transaction (after the
 * session row is locked) and return the room command that records them; a ballot is stored in a transaction of its
 * own (storeBallotIn) and recorded later, with others, by recordBallotsIn (docs/evaluation.md). The service wraps
 * them for GraphQL; the demo history replays them.
 */

const VOTER_INSERT_SLICE = 200;

/** Ballots an ordinary close needs: the share of the entitled, rounded up (2/3 of 30 is 20, not 21 by rounding error). */
export function quorumOf(entitledVoters: number, share: number): number {
  return Math.min(entitledVoters, Math.ceil(entitledVoters * share - 1e-9));
}

/** How an evaluation opens: its ballot mode and, in BLIND mode, the signing keys made for it (by purpose). */
export interface OpenOptions {
  mode: BallotMode;
  keys?: readonly { purpose: string; publicKeyPem: string; privateKeyPem: string }[];
}

/**
 * Opens the ballot box: the attendees present now (checked in or marked present) become the entitled voters — but
 * not the session's speakers when it says they do not vote (Session.speakersVote). In BLIND mode the session's keys
 * are stored with it, and the room is told the general key's fingerprint for the big screen.
 */
export async function openEvaluationIn(
  m: EntityManager,
  sessionId: number,
  clock: Clock,
  quorumShare: number,
  options: OpenOptions = { mode: BallotMode.SIMPLE },
): Promise<RoomCommand> {
  const present = await m.getRepository(Attendee).find({ where: { sessionId, checkedInAt: Not(IsNull()) }, order: { userId: 'ASC' } });
  const speakers =
    (await m.getRepository(Session).findOneBy({ id: sessionId }))?.speakersVote === false ? new Set((await speakersWithAccounts(m, sessionId)).map((c) => c.userId)) : new Set<number>();
  const attendees = present.filter((a) => !speakers.has(a.userId));
  const quorum = quorumOf(attendees.length, quorumShare);
  if (!(await m.getRepository(Evaluation).existsBy({ sessionId }))) {
    // In slices: SQLite refuses one INSERT of a thousand rows (its expression tree grows too deep).
    for (let i = 0; i < attendees.length; i += VOTER_INSERT_SLICE) {
      await m.getRepository(EvaluationVoter).insert(attendees.slice(i, i + VOTER_INSERT_SLICE).map((a) => ({ sessionId, userId: a.userId, voted: false, clientId: null })));
    }
    await m.getRepository(Evaluation).insert({ sessionId, status: EvaluationStatus.OPEN, ballotMode: options.mode, entitledVoters: attendees.length, quorum, ballotsCast: 0, openedAt: clock.now() });
    if (options.keys?.length) await m.getRepository(BallotKeyRow).insert(options.keys.map((k) => ({ sessionId, ...k })));
  }
  const general = options.keys?.find((k) => k.purpose === GENERAL);
  return { type: 'OPEN_EVALUATION', entitledVoters: attendees.length, quorum, ...(general ? { keyFingerprint: keyFingerprint(general.publicKeyPem) } : {}) };
}

/** The cadres who speak in a session and have an account (cadres without one speak but do not vote). */
export async function speakersWithAccounts(m: EntityManager, sessionId: number): Promise<(Cadre & { userId: number })[]> {
  const cadreIds = [...new Set((await m.getRepository(Speech).findBy({ sessionId })).map((s) => s.cadreId))];
  const cadres = cadreIds.length ? await m.getRepository(Cadre).findBy({ id: In(cadreIds) }) : [];
  return cadres.filter((c): c is Cadre & { userId: number } => c.userId != null);
}

/**
 * The ballot's own write, in a short transaction of its own (no room lock): while the evaluation row is held with
 * a shared lock (closing takes it exclusively, so a ballot commits before the close counts or finds it closed),
 * the ballot is checked against the line-up of `state`, the voter's frozen row is claimed, and the grades are
 * stored loose — no voter, no grouping, random ids, no time. False when the claim was lost to another attempt of
 * the same voter that committed first.
 */
export async function storeBallotIn(
  m: EntityManager,
  state: RoomState,
  voter: Pick<EvaluationVoter, 'id' | 'sessionId' | 'userId'>,
  lines: readonly BallotLine[],
  clientId: string | null,
): Promise<boolean> {
  const refused = checkBallot(lines, await speechesToGrade(m, state, voter.userId));
  if (refused) throw refused;
  const [outcome] = await storeBallotsIn(m, voter.sessionId, [{ voterId: voter.id, lines, clientId }]);
  return outcome.stored;
}

/** A ballot already checked against the line-up (checkBallot), waiting to be stored. */
export interface CheckedBallot {
  voterId: number;
  lines: readonly BallotLine[];
  clientId: string | null;
}

/** What became of a ballot: stored, or not because its voter's row was claimed first — by a ballot with `clientId`. */
export type StoreOutcome = { stored: true } | { stored: false; clientId: string | null };

/**
 * Several checked ballots of one session in one transaction (the ballot box's group commit): the evaluation row
 * held with a shared lock as for one ballot, the voters' rows locked and each claimed by its first ballot (one per
 * voter, whatever the concurrency, within the group and between groups), and the grades of the whole group stored
 * loose and shuffled, so that not even their order links them to a voter. For each ballot, what became of it.
 */
export async function storeBallotsIn(m: EntityManager, sessionId: number, ballots: readonly CheckedBallot[]): Promise<StoreOutcome[]> {
  await holdOpenBox(m, sessionId, BallotMode.SIMPLE);
  const rows = await m.getRepository(EvaluationVoter).find({
    select: { id: true, voted: true, clientId: true },
    where: { id: In([...new Set(ballots.map((b) => b.voterId))]), sessionId },
    lock: writeLock(m),
  });
  // Per voter: null while unclaimed, else the clientId of the ballot that claimed the row (earlier, or in this group).
  const claimedBy = new Map(rows.map((r) => [r.id, r.voted ? { clientId: r.clientId } : null]));
  const outcomes = ballots.map((b): StoreOutcome => {
    const claim = claimedBy.get(b.voterId);
    // (No row: the caller read the voter's row before, so only a row deleted since; it stores nothing.)
    if (claim === undefined) return { stored: false, clientId: null };
    if (claim) return { stored: false, clientId: claim.clientId };
    claimedBy.set(b.voterId, { clientId: b.clientId });
    return { stored: true };
  });
  const winners = ballots.filter((_, i) => outcomes[i].stored);
  if (!winners.length) return outcomes;
  const parameters: Record<string, unknown> = {};
  const cases = winners.map((b, i) => {
    Object.assign(parameters, { [`v${i}`]: b.voterId, [`c${i}`]: b.clientId });
    return `WHEN :v${i} THEN :c${i}`;
  });
  const claimed = await m
    .createQueryBuilder()
    .update(EvaluationVoter)
    .set({ voted: true, clientId: () => `CASE id ${cases.join(' ')} END` })
    .where({ id: In(winners.map((b) => b.voterId)), voted: false })
    .setParameters(parameters)
    .execute();
  // The rows are locked (or the transactions serialised), so every claim must take; if one did not, store nothing.
  if (claimed.affected !== undefined && claimed.affected !== winners.length) {
    throw new Error(`ballot box: ${winners.length} voters' rows to claim, ${claimed.affected} claimed; rolled back`);
  }
  await insertLooseGrades(m, sessionId, winners);
  return outcomes;
}

/**
 * Holds the evaluation row with a shared lock (closing takes it exclusively, so a ballot commits before the close
 * counts, or finds the box closed) and refuses unless the box is open in `mode`.
 */
export async function holdOpenBox(m: EntityManager, sessionId: number, mode: BallotMode): Promise<void> {
  const [evaluation] = await lockedRead<{ status: EvaluationStatus; ballotMode: BallotMode }>(
    m,
    m.getRepository(Evaluation).createQueryBuilder('e').select('e.status', 'status').addSelect('e.ballotMode', 'ballotMode').where('e.sessionId = :sessionId', { sessionId }),
  );
  const closed = refuseEvaluationStep(evaluation?.status, 'ballot');
  if (closed) throw closed;
  if (evaluation.ballotMode !== mode) throw new BallotModeMismatchError(evaluation.ballotMode);
}

/** An anonymous ballot whose token's signature and shape are checked, waiting to be stored (BLIND mode). */
export interface AnonymousBallot {
  tokenHash: string;
  receipt: string;
  lines: readonly BallotLine[];
  clientId: string | null;
}

/**
 * Several anonymous ballots of one session in one transaction (BLIND mode). No voter's row is read or written: a
 * ballot spends its token by inserting the token's hash under the primary key, and the grades go in loose and
 * shuffled, as in storeBallotsIn. A token already spent (before, or earlier in the group) stores nothing and answers
 * the clientId of the ballot that spent it. Of two groups racing on one token on two instances, the second insert
 * fails on the key and its transaction rolls back: the caller runs the group again, which then finds the token spent.
 */
export async function storeAnonymousBallotsIn(m: EntityManager, sessionId: number, ballots: readonly AnonymousBallot[]): Promise<StoreOutcome[]> {
  await holdOpenBox(m, sessionId, BallotMode.BLIND);
  const hashes = [...new Set(ballots.map((b) => b.tokenHash))];
  const spent = await m.getRepository(SpentBallotToken).find({ select: { tokenHash: true, clientId: true }, where: { tokenHash: In(hashes) } });
  const spentBy = new Map(spent.map((t) => [t.tokenHash, t.clientId]));
  const outcomes = ballots.map((b): StoreOutcome => {
    if (spentBy.has(b.tokenHash)) return { stored: false, clientId: spentBy.get(b.tokenHash)! };
    spentBy.set(b.tokenHash, b.clientId);
    return { stored: true };
  });
  const winners = ballots.filter((_, i) => outcomes[i].stored);
  if (!winners.length) return outcomes;
  for (let i = 0; i < winners.length; i += VOTER_INSERT_SLICE) {
    await m.getRepository(SpentBallotToken).insert(
      shuffled(winners.slice(i, i + VOTER_INSERT_SLICE).map((b) => ({ tokenHash: b.tokenHash, sessionId, receipt: b.receipt, clientId: b.clientId }))),
    );
  }
  await insertLooseGrades(m, sessionId, winners);
  return outcomes;
}

/** The grades of stored ballots, loose: random ids, no voter, no grouping, shuffled so not even their order links them. */
async function insertLooseGrades(m: EntityManager, sessionId: number, ballots: readonly { lines: readonly BallotLine[] }[]): Promise<void> {
  const grades = shuffled(ballots.flatMap((b) => b.lines.map((l) => ({ id: randomUUID(), sessionId, speechId: l.speechId, grade: l.grade }))));
  // In slices: SQLite refuses one INSERT of a thousand rows (its expression tree grows too deep).
  for (let i = 0; i < grades.length; i += VOTER_INSERT_SLICE) await m.getRepository(BallotGrade).insert(grades.slice(i, i + VOTER_INSERT_SLICE));
}

/** Fisher–Yates with a cryptographic source. */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Ballots in the box: entitled voters who have voted (SIMPLE) plus tokens spent (BLIND; an evaluation has one or the
 * other). `locked` reads the newest commits and holds them (closing).
 */
export async function countBallotsIn(m: EntityManager, sessionId: number, locked = false): Promise<number> {
  const voted = m
    .getRepository(EvaluationVoter)
    .createQueryBuilder('v')
    .select('COUNT(*)', 'n')
    .where('v.sessionId = :sessionId', { sessionId })
    .andWhere('v.voted = :voted', { voted: true });
  const spent = m.getRepository(SpentBallotToken).createQueryBuilder('t').select('COUNT(*)', 'n').where('t.sessionId = :sessionId', { sessionId });
  const count = async (query: SelectQueryBuilder<ObjectLiteral>) => {
    const [row] = locked ? await lockedRead<{ n: string | number }>(m, query) : [await query.getRawOne<{ n: string | number }>()];
    return Number(row?.n ?? 0);
  };
  return (await count(voted)) + (await count(spent));
}

/** Voters who have taken a ballot token (BLIND mode). */
export async function countTokensIssuedIn(m: EntityManager, sessionId: number): Promise<number> {
  return m.getRepository(EvaluationVoter).countBy({ sessionId, tokenIssued: true });
}

/**
 * The room's record of the ballot box, run inside a room command: the exact count read from the database. The
 * decider records nothing when the room already shows as many (another instance's record covered these ballots),
 * and refuses once the evaluation is closed (the close recorded the final count).
 */
export async function recordBallotsIn(m: EntityManager, state: RoomState, sessionId: number): Promise<RoomCommand> {
  return { type: 'CAST_BALLOT', ballotsCast: state.evaluation?.status === 'OPEN' ? await countBallotsIn(m, sessionId) : 0 };
}

/**
 * One ballot checked, stored and recorded at once inside a single room command: for generated history (demo),
 * where voters come one at a time. The live path (EvaluationService.castBallot) stores outside the room's lock and
 * records in batches.
 */
export async function castBallotIn(
  m: EntityManager,
  state: RoomState,
  sessionId: number,
  userId: number,
  lines: readonly BallotLine[],
  clientId: string | null,
): Promise<RoomCommand> {
  const voter = await m.getRepository(EvaluationVoter).findOneBy({ sessionId, userId });
  if (!voter) throw new EvaluationNotEntitledError();
  if (voter.voted || !(await storeBallotIn(m, state, voter, lines, clientId))) throw new EvaluationAlreadyVotedError();
  return recordBallotsIn(m, state, sessionId);
}

/** Every speech of the line-up except the voter's own and the withdrawn ones. */
export async function speechesToGrade(m: EntityManager, state: RoomState, userId: number): Promise<number[]> {
  const own = new Set((await m.getRepository(Cadre).findBy({ userId })).map((c) => c.id));
  return gradedSpeeches(state).filter((s) => !own.has(s.cadreId)).map((s) => s.speechId);
}

/** The speeches a ballot grades and the tally ranks: the line-up without the withdrawn ones. */
export function gradedSpeeches(state: RoomState): RoomState['speeches'] {
  return state.speeches.filter((s) => s.status !== SpeechStatus.WITHDRAWN);
}

/** A close below the quorum is forced only with a reason, which the log and the archive keep. */
export interface CloseOptions {
  force: boolean;
  reason: string | null;
}

/**
 * Closes the ballot box and computes the results once, from the grade counts alone. The evaluation row is taken
 * exclusively first: every ballot holding it shared has committed by then and every later one will find the box
 * closed. The counts are locked reads, which see those commits (a plain read on MySQL would use the snapshot the
 * transaction took before the lock was granted, and miss them). Below the quorum it closes only when forced, with
 * a reason (checked by the caller).
 */
export async function closeEvaluationIn(
  m: EntityManager,
  state: RoomState,
  sessionId: number,
  clock: Clock,
  config: TallyConfig,
  close: CloseOptions = { force: false, reason: null },
): Promise<RoomCommand> {
  const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
  const refused = refuseEvaluationStep(evaluation?.status, 'close');
  if (refused) throw refused;
  // Confirmed paper ballots (纸质票) count like the electronic ones: in the quorum and in the tally.
  const paper = await paperCountsIn(m, sessionId);
  const ballotsCast = (await countBallotsIn(m, sessionId, true)) + (paper?.ballots ?? 0);
  const quorum = evaluation!.quorum;
  const belowQuorum = ballotsCast < quorum;
  if (belowQuorum && !close.force) throw new EvaluationQuorumNotMetError(ballotsCast, quorum);
  const closeReason = belowQuorum ? close.reason : null;
  const counts = withPaperCounts(await gradeCounts(m, sessionId), paper);
  const results = tally(gradedSpeeches(state).map((s) => ({ speechId: s.speechId, order: s.order, counts: counts.get(s.speechId) ?? emptyCounts() })), config);
  await m
    .getRepository(Evaluation)
    .update({ sessionId }, { status: EvaluationStatus.CLOSED, closedAt: clock.now(), resultsJson: JSON.stringify(results), ballotsCast, closeReason });
  // The signing keys die with the box: no token can be issued after the close, by anyone.
  await m.getRepository(BallotKeyRow).update({ sessionId }, { privateKeyPem: null });
  const speeches = new Map((await m.getRepository(Speech).findBy({ sessionId })).map((s) => [s.id, s]));
  if (results.length) {
    await m.getRepository(SpeechResultRow).insert(
      results.map((r) => ({
        speechId: r.speechId,
        sessionId,
        cadreId: speeches.get(r.speechId)!.cadreId,
        regionId: speeches.get(r.speechId)!.regionId,
        grade: r.grade,
        place: r.rank,
        score: r.score,
        excellent: r.counts.EXCELLENT,
        good: r.counts.GOOD,
        average: r.counts.AVERAGE,
        poor: r.counts.POOR,
        published: false,
      })),
    );
  }
  return { type: 'CLOSE_EVALUATION', ballotsCast, closeReason };
}

/** Publishes closed results; the room's decider refuses it unless the evaluation is CLOSED. */
export async function publishEvaluationIn(m: EntityManager, sessionId: number, clock: Clock): Promise<RoomCommand> {
  const evaluation = await m.getRepository(Evaluation).findOne({ where: { sessionId }, lock: writeLock(m) });
  const results = evaluation?.resultsJson ? (JSON.parse(evaluation.resultsJson) as TallyResult[]) : [];
  if (evaluation?.status === EvaluationStatus.CLOSED) {
    await m.getRepository(Evaluation).update({ sessionId }, { status: EvaluationStatus.PUBLISHED, publishedAt: clock.now() });
    await m.getRepository(SpeechResultRow).update({ sessionId }, { published: true });
  }
  return { type: 'PUBLISH_EVALUATION', results: results.map(publishedResult) };
}

export function publishedResult(r: TallyResult): PublishedResult {
  return { speechId: r.speechId, excellent: r.counts.EXCELLENT, good: r.counts.GOOD, average: r.counts.AVERAGE, poor: r.counts.POOR, score: r.score, rank: r.rank, grade: r.grade, droppedByTie: r.droppedByTie };
}

/** The grade counts per speech, as a locked read (see closeEvaluationIn). */
async function gradeCounts(m: EntityManager, sessionId: number): Promise<Map<number, GradeCounts>> {
  const rows = await lockedRead<{ speechId: number; grade: Grade; n: string | number }>(
    m,
    m
      .getRepository(BallotGrade)
      .createQueryBuilder('g')
      .select('g.speechId', 'speechId')
      .addSelect('g.grade', 'grade')
      .addSelect('COUNT(*)', 'n')
      .where('g.sessionId = :sessionId', { sessionId })
      .groupBy('g.speechId')
      .addGroupBy('g.grade'),
  );
  const counts = new Map<number, GradeCounts>();
  for (const row of rows) {
    const c = counts.get(Number(row.speechId)) ?? emptyCounts();
    c[row.grade] = Number(row.n);
    counts.set(Number(row.speechId), c);
  }
  return counts;
}

/** Runs a SELECT with a shared lock on what it reads (MySQL; plain on SQLite): the newest committed rows, held until commit. */
async function lockedRead<T>(m: EntityManager, query: SelectQueryBuilder<ObjectLiteral>): Promise<T[]> {
  const [sql, parameters] = query.getQueryAndParameters();
  return m.query(sql + shareLockClause(m), parameters);
}

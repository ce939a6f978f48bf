import fc from 'fast-check';
import { RoomPhase, SpeechStatus } from '../../../src/modules/sessions/session-enums';
import type { RoomCommand } from '../../../src/modules/room/room-decider';
import type { ApprovedComment, InterruptionReason, RoomEvent } from '../../../src/modules/room/room-events';
import { foldRoom, reduceRoom } from '../../../src/modules/room/room-reducer';
import { initialRoomState, ROOM_COMMENT_WINDOW, RoomState } from '../../../src/modules/room/room-state';
import { readTimer } from '../../../src/modules/room/timer';
import { approvedComment, CHAIR_ID, lineup, nextPhase, PHASES, RoomScript, roomIn, SESSION_ID, T0 } from './room-script';

const SEC = 1000;
const MIN = 60 * SEC;

describe(reduceRoom.name, () => {
  describe('a scripted session', () => {
    /**
     * Session 1: line-up 101 (3 min), 102 (4 min), 103 (2 min). A question comes in before the start. 101 pauses,
     * is extended, interrupted, runs out and ends 20 s over; 102 pauses and is cut off; 103 is paused mid-speech.
     * Comment 2 is approved and later rejected.
     */
    const S = T0 + 5 * MIN;
    function play() {
      const script = new RoomScript(T0);
      const snapshots: Record<string, RoomState> = {};
      script.run({ type: 'SET_LINEUP', entries: lineup() }); // 1
      script.elapse(MIN).run({ type: 'POST_COMMENT', commentId: 1, speechId: null, approved: approvedComment(1, { postedAt: T0 + MIN }) }); // 2, 3
      script.elapse(4 * MIN).run({ type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES }); // 4, at S
      script.run({ type: 'START_SPEECH' }); // 5: 101
      snapshots.started = script.state;
      script.elapse(60 * SEC).run({ type: 'PAUSE_SPEECH' }); // 6
      snapshots.paused = script.state;
      script.elapse(20 * SEC).run({ type: 'RESUME_SPEECH' }); // 7
      script.elapse(30 * SEC).run({ type: 'EXTEND_SPEECH', extensionMs: MIN }); // 8
      script.elapse(30 * SEC).run({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: '请讲具体数字', cutOff: false }); // 9, at S+140 s
      snapshots.interrupted = script.state;
      script.elapse(120 * SEC).run({ type: 'RECORD_TIME_UP' }); // 10, at S+260 s
      script.elapse(20 * SEC).run({ type: 'END_SPEECH' }); // 11, at S+280 s
      snapshots.firstEnded = script.state;
      script.run({ type: 'POST_COMMENT', commentId: 2, speechId: 101, approved: null }); // 12
      script.elapse(10 * SEC).run({ type: 'START_SPEECH' }); // 13: 102 at S+290 s
      script.run({ type: 'MODERATE_COMMENT', commentId: 2, approved: approvedComment(2, { speechId: 101, postedAt: S + 280 * SEC }) }); // 14
      snapshots.secondApproved = script.state;
      script.elapse(50 * SEC).run({ type: 'PAUSE_SPEECH' }); // 15
      script.elapse(10 * SEC).run({ type: 'RESUME_SPEECH' }); // 16
      script.elapse(20 * SEC).run({ type: 'INTERRUPT_SPEECH', reason: 'OFF_TOPIC', note: null, cutOff: true }); // 17, 18 at S+370 s
      script.run({ type: 'POST_COMMENT', commentId: 3, speechId: 102, approved: approvedComment(3, { speechId: 102, postedAt: S + 370 * SEC }) }); // 19, 20
      script.elapse(5 * SEC).run({ type: 'MODERATE_COMMENT', commentId: 2, approved: null }); // 21
      script.run({ type: 'START_SPEECH' }); // 22: 103 at S+375 s
      script.elapse(30 * SEC).run({ type: 'PAUSE_SPEECH' }); // 23
      return { script, snapshots };
    }

    it('shows a started speech as SPEAKING with a fresh timer', () => {
      const { started } = play().snapshots;
      expect(started.speeches.map((s) => s.status)).toEqual([SpeechStatus.SPEAKING, SpeechStatus.UPCOMING, SpeechStatus.UPCOMING]);
      expect(started.speeches[0]).toMatchObject({ startedAt: S, endedAt: null, spokenMs: null, overtimeMs: null });
      expect(started.current).toEqual({ speechId: 101, timer: { startedAt: S, allottedMs: 3 * MIN, extendedMs: 0, pausedMs: 0, pausedAt: null }, timeUp: false, interruptions: [] });
    });

    it('shows a paused speech as PAUSED with the pause instant on its timer', () => {
      const { paused } = play().snapshots;
      expect(paused.speeches[0].status).toBe(SpeechStatus.PAUSED);
      expect(paused.current!.timer).toEqual({ startedAt: S, allottedMs: 3 * MIN, extendedMs: 0, pausedMs: 0, pausedAt: S + 60 * SEC });
    });

    it('after resume, extension and an interruption: SPEAKING again, pause and extension on the timer, the interruption listed', () => {
      const { interrupted } = play().snapshots;
      expect(interrupted.speeches[0].status).toBe(SpeechStatus.SPEAKING);
      expect(interrupted.current).toEqual({
        speechId: 101,
        timer: { startedAt: S, allottedMs: 3 * MIN, extendedMs: MIN, pausedMs: 20 * SEC, pausedAt: null },
        timeUp: false,
        interruptions: [{ seq: 9, reason: 'EMPTY_TALK', note: '请讲具体数字', at: S + 140 * SEC, cutOff: false }],
      });
      expect(readTimer(interrupted.current!.timer, S + 140 * SEC)).toMatchObject({ elapsedMs: 2 * MIN, remainingMs: 2 * MIN, endsAt: S + 260 * SEC });
    });

    it('records the first speech FINISHED with its spoken time and overtime, and clears the current speech', () => {
      const { firstEnded } = play().snapshots;
      expect(firstEnded.current).toBeNull();
      expect(firstEnded.speeches[0]).toEqual({
        speechId: 101, order: 1, cadreId: 201, allottedMs: 3 * MIN, status: SpeechStatus.FINISHED,
        startedAt: S, endedAt: S + 280 * SEC, spokenMs: 260 * SEC, overtimeMs: 20 * SEC,
      });
    });

    it('keeps the approved comments newest first', () => {
      const { secondApproved } = play().snapshots;
      expect(secondApproved.comments.map((c) => c.commentId)).toEqual([2, 1]);
    });

    it('folds the whole log to the expected room', () => {
      const { script } = play();
      const expected: RoomState = {
        sessionId: SESSION_ID,
        seq: 23,
        phase: RoomPhase.SPEECHES,
        speeches: [
          { speechId: 101, order: 1, cadreId: 201, allottedMs: 3 * MIN, status: SpeechStatus.FINISHED, startedAt: S, endedAt: S + 280 * SEC, spokenMs: 260 * SEC, overtimeMs: 20 * SEC },
          { speechId: 102, order: 2, cadreId: 202, allottedMs: 4 * MIN, status: SpeechStatus.CUT_OFF, startedAt: S + 290 * SEC, endedAt: S + 370 * SEC, spokenMs: 70 * SEC, overtimeMs: 0 },
          { speechId: 103, order: 3, cadreId: 203, allottedMs: 2 * MIN, status: SpeechStatus.PAUSED, startedAt: S + 375 * SEC, endedAt: null, spokenMs: null, overtimeMs: null },
        ],
        current: { speechId: 103, timer: { startedAt: S + 375 * SEC, allottedMs: 2 * MIN, extendedMs: 0, pausedMs: 0, pausedAt: S + 405 * SEC }, timeUp: false, interruptions: [] },
        comments: [approvedComment(3, { speechId: 102, postedAt: S + 370 * SEC }), approvedComment(1, { postedAt: T0 + MIN })],
        evaluation: null,
        attendance: { expected: 0, present: 0 },
        reviews: [],
        summary: null,
      };
      expect(foldRoom(initialRoomState(SESSION_ID), script.log)).toEqual(expected);
      expect(script.state).toEqual(expected);
      expect(script.state.seq).toBe(script.log[script.log.length - 1].seq);
    });

    it('logs every change, in order, with the chair as actor', () => {
      const { script } = play();
      expect(script.log.map((e) => e.type)).toEqual([
        'LINEUP_SET', 'COMMENT_POSTED', 'COMMENT_APPROVED', 'PHASE_CHANGED', 'SPEECH_STARTED', 'SPEECH_PAUSED', 'SPEECH_RESUMED', 'SPEECH_EXTENDED',
        'SPEECH_INTERRUPTED', 'TIME_UP', 'SPEECH_ENDED', 'COMMENT_POSTED', 'SPEECH_STARTED', 'COMMENT_APPROVED', 'SPEECH_PAUSED', 'SPEECH_RESUMED',
        'SPEECH_INTERRUPTED', 'SPEECH_ENDED', 'COMMENT_POSTED', 'COMMENT_APPROVED', 'COMMENT_REJECTED', 'SPEECH_STARTED', 'SPEECH_PAUSED',
      ]);
      expect(script.log.map((e) => e.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
      expect(new Set(script.log.map((e) => e.actorId))).toEqual(new Set([CHAIR_ID]));
    });

    it('rebuilds any intermediate room from the prefix of the log up to its seq', () => {
      const { script, snapshots } = play();
      for (const snapshot of Object.values(snapshots)) {
        expect(foldRoom(initialRoomState(SESSION_ID), script.log.slice(0, snapshot.seq))).toEqual(snapshot);
      }
    });
  });

  describe('each event', () => {
    it('moves seq to the event’s seq, including the events that change nothing else', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      const before = script.state;
      const [posted] = script.run({ type: 'POST_COMMENT', commentId: 9, speechId: null, approved: null });
      expect(script.state).toEqual({ ...before, seq: posted.seq });
    });

    it('REVIEW_POSTED puts the commentary first in the room’s reviews', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      script.run({ type: 'START_SPEECH' });
      const [first] = script.run({ type: 'POST_REVIEW', reviewId: 1, speechId: 101, tone: 'PRAISE', authorName: '市长', body: '数字扎实' });
      script.run({ type: 'POST_REVIEW', reviewId: 2, speechId: 101, tone: 'DIRECTIVE', authorName: '书记', body: '抓落实' });
      expect(script.state.reviews.map((r) => r.reviewId)).toEqual([2, 1]);
      expect(script.state.reviews[1]).toEqual({ reviewId: 1, speechId: 101, tone: 'PRAISE', authorName: '市长', body: '数字扎实', at: first.at });
    });

    it('ATTENDANCE_CHANGED sets the counts; SUMMARY_RECORDED replaces the summary', () => {
      const script = roomIn(RoomPhase.SUMMARY);
      script.run({ type: 'RECORD_ATTENDANCE', userIds: [7, 8], present: true, expected: 10, presentCount: 2 });
      expect(script.state.attendance).toEqual({ expected: 10, present: 2 });
      script.run({ type: 'RECORD_SUMMARY', body: ' 第一稿 ', author: '市委书记' });
      const [second] = script.run({ type: 'RECORD_SUMMARY', body: '定稿', author: '市委书记' });
      expect(script.state.summary).toEqual({ body: '定稿', author: '市委书记', at: second.at });
    });

    it('SPEECH_WITHDRAWN marks the speech withdrawn with its reason, and START_SPEECH skips it', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      script.run({ type: 'WITHDRAW_SPEECH', speechId: 102, reason: '因公请假' });
      expect(script.state.speeches[1]).toMatchObject({ speechId: 102, status: SpeechStatus.WITHDRAWN, withdrawnReason: '因公请假' });
      script.run({ type: 'START_SPEECH' });
      expect(script.state.current?.speechId).toBe(103);
      expect(script.decide({ type: 'WITHDRAW_SPEECH', speechId: 103, reason: '晚到' })).toBeInstanceOf(Error);
    });

    it('PHASE_CHANGED moves the room to the new phase', () => {
      const script = roomIn(RoomPhase.SUMMARY);
      script.run({ type: 'ADVANCE_PHASE', to: RoomPhase.EVALUATION });
      expect(script.state.phase).toBe(RoomPhase.EVALUATION);
    });

    it('EVALUATION_OPENED opens the box with the general key\'s fingerprint in BLIND mode, and none in SIMPLE', () => {
      const blind = roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 40, quorum: 27, keyFingerprint: 'cd'.repeat(32) });
      expect(blind.state.evaluation).toMatchObject({ status: 'OPEN', entitledVoters: 40, quorum: 27, ballotsCast: 0, keyFingerprint: 'cd'.repeat(32) });
      expect(roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 40 }).state.evaluation).toMatchObject({ quorum: 0, keyFingerprint: null });
    });

    it('LINEUP_SET replaces the speeches with fresh UPCOMING ones', () => {
      const script = roomIn(RoomPhase.SCHEDULED).then({ type: 'SET_LINEUP', entries: lineup([MIN]) });
      expect(script.state.speeches).toEqual([
        { speechId: 101, order: 1, cadreId: 201, allottedMs: MIN, status: SpeechStatus.UPCOMING, startedAt: null, endedAt: null, spokenMs: null, overtimeMs: null },
      ]);
    });

    it('TIME_UP marks the current allowance as spent, and SPEECH_EXTENDED re-arms it', () => {
      const script = roomIn(RoomPhase.SPEECHES).then({ type: 'START_SPEECH' }).elapse(4 * MIN).then({ type: 'RECORD_TIME_UP' });
      expect(script.state.current!.timeUp).toBe(true);
      script.run({ type: 'EXTEND_SPEECH', extensionMs: MIN });
      expect(script.state.current).toMatchObject({ timeUp: false, timer: { extendedMs: MIN } });
    });
  });

  describe('comments', () => {
    const approve = (script: RoomScript, c: ApprovedComment) => script.run({ type: 'MODERATE_COMMENT', commentId: c.commentId, approved: c });

    it('are ordered by when they were posted, newest first, whatever the order of approval', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      for (const id of [5, 3, 9, 1]) approve(script, approvedComment(id));
      expect(script.state.comments.map((c) => c.commentId)).toEqual([9, 5, 3, 1]);
    });

    it('break a tie on the posting instant by the higher comment id', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      for (const id of [4, 6, 5]) approve(script, approvedComment(id, { postedAt: T0 }));
      expect(script.state.comments.map((c) => c.commentId)).toEqual([6, 5, 4]);
    });

    it('hold one copy of a comment approved twice, with the latest text', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      approve(script, approvedComment(4));
      approve(script, approvedComment(4, { body: '已更正' }));
      expect(script.state.comments).toEqual([approvedComment(4, { body: '已更正' })]);
    });

    it(`keep only the ${ROOM_COMMENT_WINDOW} newest (the log keeps them all)`, () => {
      const script = roomIn(RoomPhase.EXCHANGE);
      for (let id = 1; id <= ROOM_COMMENT_WINDOW + 5; id++) approve(script, approvedComment(id));
      expect(script.state.comments).toHaveLength(ROOM_COMMENT_WINDOW);
      expect(script.state.comments[0].commentId).toBe(ROOM_COMMENT_WINDOW + 5);
      expect(script.state.comments[ROOM_COMMENT_WINDOW - 1].commentId).toBe(6);
      approve(script, approvedComment(200, { postedAt: T0 })); // older than everything shown
      expect(script.state.comments.map((c) => c.commentId)).not.toContain(200);
      expect(script.log.filter((e) => e.type === 'COMMENT_APPROVED')).toHaveLength(ROOM_COMMENT_WINDOW + 6);
    });

    it('lose a comment when it is rejected after approval, and ignore the rejection of one never shown', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      for (const id of [1, 2, 3]) approve(script, approvedComment(id));
      script.run({ type: 'MODERATE_COMMENT', commentId: 2, approved: null });
      expect(script.state.comments.map((c) => c.commentId)).toEqual([3, 1]);
      script.run({ type: 'MODERATE_COMMENT', commentId: 77, approved: null });
      expect(script.state.comments.map((c) => c.commentId)).toEqual([3, 1]);
    });
  });
});

describe(foldRoom.name, () => {
  /** A stand-in resolved when played: the phase after the room's current one. */
  const NEXT = 'NEXT' as RoomPhase;
  const speechIds = fc.integer({ min: 101, max: 105 });
  const approved = (commentId: number): fc.Arbitrary<ApprovedComment | null> =>
    fc.option(
      fc.record({ speechId: fc.option(speechIds, { nil: null }), postedAt: fc.integer({ min: T0, max: T0 + 3_600_000 }), body: fc.string({ maxLength: 20 }) })
        .map(({ speechId, postedAt, body }) => approvedComment(commentId, { speechId, postedAt, body })),
      { nil: null },
    );
  const command: fc.Arbitrary<RoomCommand> = fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.integer({ min: 1000, max: 300_000 }), { minLength: 0, maxLength: 5 }).map((a): RoomCommand => ({ type: 'SET_LINEUP', entries: lineup(a) })) },
    { weight: 1, arbitrary: fc.constantFrom(...PHASES).map((to): RoomCommand => ({ type: 'ADVANCE_PHASE', to })) },
    // most phase changes aim at the next phase, so that random sessions get through the speeches and beyond
    { weight: 3, arbitrary: fc.constant<RoomCommand>({ type: 'ADVANCE_PHASE', to: NEXT }) },
    { weight: 5, arbitrary: fc.option(speechIds, { nil: undefined }).map((speechId): RoomCommand => ({ type: 'START_SPEECH', speechId })) },
    { weight: 3, arbitrary: fc.constant<RoomCommand>({ type: 'PAUSE_SPEECH' }) },
    { weight: 3, arbitrary: fc.constant<RoomCommand>({ type: 'RESUME_SPEECH' }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 2_000_000 }).map((extensionMs): RoomCommand => ({ type: 'EXTEND_SPEECH', extensionMs })) },
    {
      weight: 2,
      arbitrary: fc
        .record({ reason: fc.constantFrom<InterruptionReason>('EMPTY_TALK', 'OFF_TOPIC', 'OVERTIME', 'OTHER'), note: fc.option(fc.string({ maxLength: 10 }), { nil: null }), cutOff: fc.boolean() })
        .map((c): RoomCommand => ({ type: 'INTERRUPT_SPEECH', ...c })),
    },
    { weight: 3, arbitrary: fc.constant<RoomCommand>({ type: 'END_SPEECH' }) },
    { weight: 3, arbitrary: fc.constant<RoomCommand>({ type: 'RECORD_TIME_UP' }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 20 }), fc.option(speechIds, { nil: null }))
        .chain(([commentId, speechId]) => approved(commentId).map((a): RoomCommand => ({ type: 'POST_COMMENT', commentId, speechId, approved: a }))),
    },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 20 }).chain((commentId) => approved(commentId).map((a): RoomCommand => ({ type: 'MODERATE_COMMENT', commentId, approved: a }))) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }).map((entitledVoters): RoomCommand => ({ type: 'OPEN_EVALUATION', entitledVoters })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }).map((ballotsCast): RoomCommand => ({ type: 'CAST_BALLOT', ballotsCast })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }).map((ballotsCast): RoomCommand => ({ type: 'CLOSE_EVALUATION', ballotsCast })) },
    { weight: 1, arbitrary: fc.constant<RoomCommand>({ type: 'PUBLISH_EVALUATION', results: [] }) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 99 }), speechIds).map(([reviewId, speechId]): RoomCommand => ({ type: 'POST_REVIEW', reviewId, speechId, tone: 'CRITICAL', authorName: '市领导', body: '点评' })),
    },
  );
  const session = fc.array(fc.record({ afterMs: fc.integer({ min: 0, max: 200_000 }), command }), { maxLength: 100, size: 'max' });

  /** Plays the commands the decider accepts, at a clock moving forward; the refused ones change nothing. */
  function play(steps: { afterMs: number; command: RoomCommand }[]) {
    const script = new RoomScript();
    const states: RoomState[] = [script.state];
    for (const { afterMs, command: c } of steps) {
      const before = script.state;
      const resolved: RoomCommand = c.type === 'ADVANCE_PHASE' && c.to === NEXT ? { type: 'ADVANCE_PHASE', to: nextPhase(before.phase) ?? RoomPhase.CLOSED } : c;
      const result = script.elapse(afterMs).attempt(resolved);
      if (result instanceof Error) expect(script.state).toBe(before);
      else if (result.length > 0) states.push(script.state);
    }
    return { script, states };
  }

  it('rebuilds, from the log alone (also after a JSON round trip), the room reached step by step; seqs run 1..n', () => {
    fc.assert(
      fc.property(session, (steps) => {
        const { script, states } = play(steps);
        const n = script.log.length;
        expect(script.log.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        expect(script.state.seq).toBe(n);
        expect(foldRoom(initialRoomState(SESSION_ID), script.log)).toEqual(script.state);
        expect(foldRoom(initialRoomState(SESSION_ID), JSON.parse(JSON.stringify(script.log)) as RoomEvent[])).toEqual(script.state);
        for (const state of states) expect(foldRoom(initialRoomState(SESSION_ID), script.log.slice(0, state.seq))).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it('picks up from any intermediate state: folding the rest of the log onto it gives the same room', () => {
    fc.assert(
      fc.property(session, fc.nat(), (steps, cut) => {
        const { script } = play(steps);
        const at = script.log.length === 0 ? 0 : cut % (script.log.length + 1);
        const middle = foldRoom(initialRoomState(SESSION_ID), script.log.slice(0, at));
        expect(foldRoom(middle, script.log.slice(at))).toEqual(script.state);
      }),
    );
  });

  it('keeps at most one speech on the floor, and it is the current one, paused exactly when its timer is', () => {
    fc.assert(
      fc.property(session, (steps) => {
        for (const state of play(steps).states) {
          const onFloor = state.speeches.filter((s) => s.status === SpeechStatus.SPEAKING || s.status === SpeechStatus.PAUSED);
          if (state.current === null) {
            expect(onFloor).toEqual([]);
          } else {
            expect(onFloor.map((s) => s.speechId)).toEqual([state.current.speechId]);
            expect(onFloor[0].status === SpeechStatus.PAUSED).toBe(state.current.timer.pausedAt !== null);
            expect(state.phase).toBe(RoomPhase.SPEECHES);
          }
          expect(state.comments.length).toBeLessThanOrEqual(ROOM_COMMENT_WINDOW);
        }
      }),
    );
  });
});

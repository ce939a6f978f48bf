import { AppError, BadUserInputError, ConflictError } from '../../../src/common/errors';
import { EvaluationNotOpenError } from '../../../src/modules/room/room.errors';
import { RoomPhase, SpeechStatus } from '../../../src/modules/sessions/session-enums';
import { decideRoom, MAX_EXTENSION_MS, MAX_NOTE_CHARS, MIN_EXTENSION_MS, RoomCommand, roomPhases } from '../../../src/modules/room/room-decider';
import type { PublishedResult, RoomEventPayload } from '../../../src/modules/room/room-events';
import { RoomInvalidTransitionError, RoomNoSpeechRunningError } from '../../../src/modules/room/room.errors';
import { approvedComment, lineup, nextPhase, PHASES, RoomScript, roomIn, roomWithSpeech, T0 } from './room-script';

const SEC = 1000;
const MIN = 60 * SEC;

type ErrorClass = abstract new (...args: never[]) => AppError;
type Outcome = { accepts: RoomEventPayload[] } | { refuses: ErrorClass; extensions: Record<string, unknown> };

const accepts = (...events: RoomEventPayload[]): Outcome => ({ accepts: events });
const invalidIn = (phase: RoomPhase): Outcome => ({ refuses: RoomInvalidTransitionError, extensions: { code: 'ROOM_INVALID_TRANSITION', phase } });
const noSpeechIn = (phase: RoomPhase): Outcome => ({ refuses: RoomNoSpeechRunningError, extensions: { code: 'ROOM_NO_SPEECH_RUNNING', phase } });
const badInput = (field: string): Outcome => ({ refuses: BadUserInputError, extensions: { code: 'BAD_USER_INPUT', field } });
const notOpen = (status: string): Outcome => ({ refuses: EvaluationNotOpenError, extensions: { code: 'EVALUATION_NOT_OPEN', status } });
const conflict: Outcome = { refuses: ConflictError, extensions: { code: 'CONFLICT' } };

function expectOutcome(decision: RoomEventPayload[] | AppError, outcome: Outcome): void {
  if ('accepts' in outcome) {
    expect(decision).not.toBeInstanceOf(Error);
    expect(decision).toEqual(outcome.accepts);
  } else {
    expect(decision).toBeInstanceOf(outcome.refuses);
    expect((decision as AppError).extensions).toEqual(outcome.extensions);
  }
}

const REVIEW = { reviewId: 61, speechId: 101, tone: 'CRITICAL', authorName: '常务副市长', body: '数字要实，承诺要可核查。' } as const;
const NEW_LINEUP = lineup([5 * MIN, 5 * MIN]);
const isOpen = (phase: RoomPhase) => phase !== RoomPhase.CLOSED;
const reviewsIn = (phase: RoomPhase) => [RoomPhase.SPEECHES, RoomPhase.EXCHANGE, RoomPhase.SUMMARY].includes(phase);

/**
 * Every command against a room at rest in each phase (roomIn: line-up 101–103 set; from SPEECHES on, 101 has been
 * given and nobody is speaking), with what the decider must answer.
 */
const AT_REST: Record<string, { command: (phase: RoomPhase) => RoomCommand; outcome: (phase: RoomPhase) => Outcome }> = {
  SET_LINEUP: {
    command: () => ({ type: 'SET_LINEUP', entries: NEW_LINEUP }),
    outcome: (phase) => (phase === RoomPhase.SCHEDULED ? accepts({ type: 'LINEUP_SET', entries: NEW_LINEUP }) : invalidIn(phase)),
  },
  'ADVANCE_PHASE to the next phase': {
    command: (phase) => ({ type: 'ADVANCE_PHASE', to: nextPhase(phase) ?? RoomPhase.CLOSED }),
    outcome: (phase) => (isOpen(phase) ? accepts({ type: 'PHASE_CHANGED', from: phase, to: nextPhase(phase)! }) : invalidIn(phase)),
  },
  'START_SPEECH (next in line)': {
    command: () => ({ type: 'START_SPEECH' }),
    outcome: (phase) => (phase === RoomPhase.SPEECHES ? accepts({ type: 'SPEECH_STARTED', speechId: 102, allottedMs: 4 * MIN }) : invalidIn(phase)),
  },
  'START_SPEECH (named)': {
    command: () => ({ type: 'START_SPEECH', speechId: 103 }),
    outcome: (phase) => (phase === RoomPhase.SPEECHES ? accepts({ type: 'SPEECH_STARTED', speechId: 103, allottedMs: 2 * MIN }) : invalidIn(phase)),
  },
  PAUSE_SPEECH: { command: () => ({ type: 'PAUSE_SPEECH' }), outcome: noSpeechIn },
  RESUME_SPEECH: { command: () => ({ type: 'RESUME_SPEECH' }), outcome: noSpeechIn },
  EXTEND_SPEECH: { command: () => ({ type: 'EXTEND_SPEECH', extensionMs: MIN }), outcome: noSpeechIn },
  INTERRUPT_SPEECH: { command: () => ({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: null, cutOff: true }), outcome: noSpeechIn },
  END_SPEECH: { command: () => ({ type: 'END_SPEECH' }), outcome: noSpeechIn },
  RECORD_TIME_UP: { command: () => ({ type: 'RECORD_TIME_UP' }), outcome: () => accepts() },
  'POST_COMMENT (pending)': {
    command: () => ({ type: 'POST_COMMENT', commentId: 31, speechId: 101, approved: null }),
    outcome: (phase) => (isOpen(phase) ? accepts({ type: 'COMMENT_POSTED', commentId: 31, speechId: 101 }) : invalidIn(phase)),
  },
  'POST_COMMENT (pre-approved)': {
    command: () => ({ type: 'POST_COMMENT', commentId: 32, speechId: null, approved: approvedComment(32) }),
    outcome: (phase) =>
      isOpen(phase) ? accepts({ type: 'COMMENT_POSTED', commentId: 32, speechId: null }, { type: 'COMMENT_APPROVED', ...approvedComment(32) }) : invalidIn(phase),
  },
  'MODERATE_COMMENT (approve)': {
    command: () => ({ type: 'MODERATE_COMMENT', commentId: 31, approved: approvedComment(31, { speechId: 101 }) }),
    outcome: (phase) => (isOpen(phase) ? accepts({ type: 'COMMENT_APPROVED', ...approvedComment(31, { speechId: 101 }) }) : invalidIn(phase)),
  },
  'MODERATE_COMMENT (reject)': {
    command: () => ({ type: 'MODERATE_COMMENT', commentId: 31, approved: null }),
    outcome: (phase) => (isOpen(phase) ? accepts({ type: 'COMMENT_REJECTED', commentId: 31 }) : invalidIn(phase)),
  },
  POST_REVIEW: {
    command: () => ({ type: 'POST_REVIEW', ...REVIEW }),
    outcome: (phase) => (reviewsIn(phase) ? accepts({ type: 'REVIEW_POSTED', ...REVIEW }) : invalidIn(phase)),
  },
  RECORD_ATTENDANCE: {
    command: () => ({ type: 'RECORD_ATTENDANCE', userIds: [7], present: true, expected: 40, presentCount: 1 }),
    outcome: (phase) =>
      phase !== RoomPhase.CLOSED ? accepts({ type: 'ATTENDANCE_CHANGED', userIds: [7], present: true, expected: 40, presentCount: 1 }) : invalidIn(phase),
  },
  'RECORD_ATTENDANCE (nothing changed)': {
    command: () => ({ type: 'RECORD_ATTENDANCE', userIds: [], present: true, expected: 0, presentCount: 0 }),
    outcome: (phase) => (phase !== RoomPhase.CLOSED ? accepts() : invalidIn(phase)),
  },
  WITHDRAW_SPEECH: {
    command: () => ({ type: 'WITHDRAW_SPEECH', speechId: 103, reason: ' 因公请假 ' }),
    outcome: (phase) => (phase !== RoomPhase.CLOSED ? accepts({ type: 'SPEECH_WITHDRAWN', speechId: 103, reason: '因公请假' }) : invalidIn(phase)),
  },
  RECORD_SUMMARY: {
    command: () => ({ type: 'RECORD_SUMMARY', body: '总结', author: '市委书记' }),
    outcome: (phase) => (phase === RoomPhase.SUMMARY ? accepts({ type: 'SUMMARY_RECORDED', body: '总结', author: '市委书记' }) : invalidIn(phase)),
  },
  OPEN_EVALUATION: {
    command: () => ({ type: 'OPEN_EVALUATION', entitledVoters: 40, quorum: 27, keyFingerprint: 'ab'.repeat(32) }),
    outcome: (phase) => (phase === RoomPhase.EVALUATION ? accepts({ type: 'EVALUATION_OPENED', entitledVoters: 40, quorum: 27, keyFingerprint: 'ab'.repeat(32) }) : invalidIn(phase)),
  },
  CAST_BALLOT: { command: () => ({ type: 'CAST_BALLOT', ballotsCast: 1 }), outcome: () => notOpen('not opened yet') },
  CLOSE_EVALUATION: { command: () => ({ type: 'CLOSE_EVALUATION', ballotsCast: 0 }), outcome: () => notOpen('not opened yet') },
  PUBLISH_EVALUATION: { command: () => ({ type: 'PUBLISH_EVALUATION', results: [] }), outcome: () => conflict },
};

describe(decideRoom.name, () => {
  describe('every command in every phase', () => {
    const cases = PHASES.flatMap((phase) => Object.keys(AT_REST).map((name) => [phase, name] as const));

    it.each(cases)('in %s: %s', (phase, name) => {
      const { command, outcome } = AT_REST[name];
      expectOutcome(roomIn(phase).decide(command(phase)), outcome(phase));
    });

    it('names the current phase in the message of every refusal as well as in extensions.phase', () => {
      const refusal = roomIn(RoomPhase.EVALUATION).decide({ type: 'POST_REVIEW', ...REVIEW }) as AppError;
      expect(refusal.message).toMatch(/\(the room is in phase EVALUATION\)$/);
      expect((roomIn(RoomPhase.EXCHANGE).decide({ type: 'END_SPEECH' }) as AppError).message).toBe('no speech is running (the room is in phase EXCHANGE)');
    });

    it('never changes the state it decides on', () => {
      for (const phase of PHASES) {
        const script = roomIn(phase);
        const before = structuredClone(script.state);
        for (const { command } of Object.values(AT_REST)) script.decide(command(phase)); // states are deep-frozen: a write would throw
        expect(script.state).toEqual(before);
      }
    });
  });

  describe('speech commands in each speech state', () => {
    /** Speech 102 (4 min) started 30 s ago; when paused, it was paused at 30 s and has stood for 10 s. */
    const states: Record<string, () => RoomScript> = {
      'nobody speaking': () => roomIn(RoomPhase.SPEECHES),
      'speech 102 speaking': () => roomIn(RoomPhase.SPEECHES).then({ type: 'START_SPEECH' }).elapse(30 * SEC),
      'speech 102 paused': () => roomIn(RoomPhase.SPEECHES).then({ type: 'START_SPEECH' }).elapse(30 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(10 * SEC),
    };
    const ended: RoomEventPayload = { type: 'SPEECH_ENDED', speechId: 102, spokenMs: 30 * SEC, overtimeMs: 0, cutOff: false };
    const interrupted: RoomEventPayload = { type: 'SPEECH_INTERRUPTED', speechId: 102, reason: 'OFF_TOPIC', note: null, cutOff: false };
    const invalid = invalidIn(RoomPhase.SPEECHES);
    const none = noSpeechIn(RoomPhase.SPEECHES);
    const table: [string, RoomCommand, Outcome, Outcome, Outcome][] = [
      // command, nobody speaking, speaking, paused
      ['START_SPEECH', { type: 'START_SPEECH' }, accepts({ type: 'SPEECH_STARTED', speechId: 102, allottedMs: 4 * MIN }), invalid, invalid],
      ['PAUSE_SPEECH', { type: 'PAUSE_SPEECH' }, none, accepts({ type: 'SPEECH_PAUSED', speechId: 102 }), invalid],
      ['RESUME_SPEECH', { type: 'RESUME_SPEECH' }, none, invalid, accepts({ type: 'SPEECH_RESUMED', speechId: 102 })],
      ['EXTEND_SPEECH', { type: 'EXTEND_SPEECH', extensionMs: MIN }, none, accepts({ type: 'SPEECH_EXTENDED', speechId: 102, extensionMs: MIN }), accepts({ type: 'SPEECH_EXTENDED', speechId: 102, extensionMs: MIN })],
      ['INTERRUPT_SPEECH', { type: 'INTERRUPT_SPEECH', reason: 'OFF_TOPIC', note: null, cutOff: false }, none, accepts(interrupted), accepts(interrupted)],
      ['END_SPEECH', { type: 'END_SPEECH' }, none, accepts(ended), accepts(ended)],
      ['RECORD_TIME_UP', { type: 'RECORD_TIME_UP' }, accepts(), accepts(), accepts()],
      ['ADVANCE_PHASE', { type: 'ADVANCE_PHASE', to: RoomPhase.EXCHANGE }, accepts({ type: 'PHASE_CHANGED', from: RoomPhase.SPEECHES, to: RoomPhase.EXCHANGE }), invalid, invalid],
    ];
    const cases = table.flatMap(([name, command, ...outcomes]) => Object.keys(states).map((state, i) => [name, state, command, outcomes[i]] as const));

    it.each(cases)('%s with %s', (_name, state, command, outcome) => {
      expectOutcome(states[state]().decide(command), outcome);
    });
  });

  describe('ADVANCE_PHASE', () => {
    const pairs = PHASES.flatMap((from) => PHASES.map((to) => [from, to, nextPhase(from) === to] as const));

    it.each(pairs)('from %s to %s: accepted = %s (one step forward, nothing else)', (from, to, allowed) => {
      const decision = roomIn(from).decide({ type: 'ADVANCE_PHASE', to });
      expectOutcome(decision, allowed ? accepts({ type: 'PHASE_CHANGED', from, to }) : invalidIn(from));
      expect(roomPhases.can(from, to)).toBe(allowed);
    });

    it('says which phase comes next when asked to skip one', () => {
      const refusal = roomIn(RoomPhase.SPEECHES).decide({ type: 'ADVANCE_PHASE', to: RoomPhase.EVALUATION }) as AppError;
      expect(refusal.message).toContain('the next phase is EXCHANGE, not EVALUATION');
    });

    it('says the session is closed when asked to leave CLOSED', () => {
      const refusal = roomIn(RoomPhase.CLOSED).decide({ type: 'ADVANCE_PHASE', to: RoomPhase.SCHEDULED }) as AppError;
      expect(refusal.message).toContain('the session is closed');
    });

    it('refuses to start the speeches before a line-up is set', () => {
      const script = new RoomScript();
      const decision = script.decide({ type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
      expectOutcome(decision, invalidIn(RoomPhase.SCHEDULED));
      expect((decision as AppError).message).toContain('set a line-up');
    });

    it('refuses to leave SPEECHES while a speech runs, and allows it once the speech has ended', () => {
      const script = roomWithSpeech().elapse(MIN);
      const leave: RoomCommand = { type: 'ADVANCE_PHASE', to: RoomPhase.EXCHANGE };
      expect((script.decide(leave) as AppError).message).toContain('end the current speech');
      script.run({ type: 'PAUSE_SPEECH' });
      expectOutcome(script.decide(leave), invalidIn(RoomPhase.SPEECHES));
      script.run({ type: 'END_SPEECH' });
      expectOutcome(script.decide(leave), accepts({ type: 'PHASE_CHANGED', from: RoomPhase.SPEECHES, to: RoomPhase.EXCHANGE }));
    });

    it('lets the speeches close with speakers still waiting (the chair decides when the round ends)', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      expect(script.state.speeches.filter((s) => s.status === SpeechStatus.UPCOMING)).toHaveLength(2);
      expectOutcome(script.decide({ type: 'ADVANCE_PHASE', to: RoomPhase.EXCHANGE }), accepts({ type: 'PHASE_CHANGED', from: RoomPhase.SPEECHES, to: RoomPhase.EXCHANGE }));
    });
  });

  describe('SET_LINEUP', () => {
    it('replaces an earlier line-up while the session is still SCHEDULED', () => {
      const script = roomIn(RoomPhase.SCHEDULED);
      script.run({ type: 'SET_LINEUP', entries: NEW_LINEUP });
      expect(script.state.speeches.map((s) => [s.speechId, s.allottedMs, s.status])).toEqual([
        [101, 5 * MIN, SpeechStatus.UPCOMING],
        [102, 5 * MIN, SpeechStatus.UPCOMING],
      ]);
    });

    it('refuses once the speeches have started, naming the phase', () => {
      const decision = roomWithSpeech().decide({ type: 'SET_LINEUP', entries: NEW_LINEUP });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain('only before the session starts');
    });
  });

  describe('START_SPEECH', () => {
    it('starts the first speech of the line-up with its allotted time when no speech is named', () => {
      const script = new RoomScript().then({ type: 'SET_LINEUP', entries: lineup() }).then({ type: 'ADVANCE_PHASE', to: RoomPhase.SPEECHES });
      expectOutcome(script.decide({ type: 'START_SPEECH' }), accepts({ type: 'SPEECH_STARTED', speechId: 101, allottedMs: 3 * MIN }));
    });

    it('picks the lowest-order speech still UPCOMING after one was called out of turn', () => {
      const script = roomIn(RoomPhase.SPEECHES); // 101 given
      script.run({ type: 'START_SPEECH', speechId: 103 });
      script.elapse(MIN).run({ type: 'END_SPEECH' });
      expectOutcome(script.decide({ type: 'START_SPEECH' }), accepts({ type: 'SPEECH_STARTED', speechId: 102, allottedMs: 4 * MIN }));
    });

    it.each([
      ['FINISHED', { type: 'END_SPEECH' } as RoomCommand],
      ['CUT_OFF', { type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: null, cutOff: true } as RoomCommand],
    ])('refuses to start again a speech that is %s', (status, ending) => {
      const script = roomWithSpeech().elapse(MIN);
      script.run(ending);
      expect(script.state.speeches[0].status).toBe(status);
      const decision = script.decide({ type: 'START_SPEECH', speechId: 101 });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain(`speech 101 has already been given (${status})`);
    });

    it('refuses a speech that is not in the line-up as BAD_USER_INPUT on speechId', () => {
      expectOutcome(roomIn(RoomPhase.SPEECHES).decide({ type: 'START_SPEECH', speechId: 999 }), badInput('speechId'));
    });

    it('refuses when everyone in the line-up has spoken', () => {
      const script = roomIn(RoomPhase.SPEECHES);
      for (let i = 0; i < 2; i++) script.then({ type: 'START_SPEECH' }).elapse(MIN).run({ type: 'END_SPEECH' });
      const decision = script.decide({ type: 'START_SPEECH' });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain('everyone in the line-up has spoken');
    });

    it('refuses while another speech runs, even when an UPCOMING speech is named', () => {
      const script = roomWithSpeech();
      const decision = script.decide({ type: 'START_SPEECH', speechId: 102 });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain('speech 101 is still running');
    });
  });

  describe('PAUSE_SPEECH / RESUME_SPEECH', () => {
    it('refuses a second pause', () => {
      const script = roomWithSpeech().elapse(10 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(SEC);
      const decision = script.decide({ type: 'PAUSE_SPEECH' });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain('already paused');
    });

    it('refuses to resume a running speech', () => {
      const decision = roomWithSpeech().elapse(10 * SEC).decide({ type: 'RESUME_SPEECH' });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain('is not paused');
    });

    it('can pause and resume the same speech several times', () => {
      const script = roomWithSpeech();
      for (let i = 0; i < 3; i++) {
        expect(script.elapse(SEC).run({ type: 'PAUSE_SPEECH' })).toMatchObject([{ type: 'SPEECH_PAUSED', speechId: 101 }]);
        expect(script.elapse(SEC).run({ type: 'RESUME_SPEECH' })).toMatchObject([{ type: 'SPEECH_RESUMED', speechId: 101 }]);
      }
      expect(script.state.current!.timer.pausedMs).toBe(3 * SEC);
    });
  });

  describe('EXTEND_SPEECH', () => {
    it.each([0, MIN_EXTENSION_MS - 1, MAX_EXTENSION_MS + 1, 1500.5, -MIN, Number.NaN])('refuses %p ms as BAD_USER_INPUT on seconds', (extensionMs) => {
      expectOutcome(roomWithSpeech().decide({ type: 'EXTEND_SPEECH', extensionMs }), badInput('seconds'));
    });

    it.each([1000, 1_800_000])('accepts %p ms, the bounds themselves', (extensionMs) => {
      expect(MIN_EXTENSION_MS).toBe(1000);
      expect(MAX_EXTENSION_MS).toBe(1_800_000);
      expectOutcome(roomWithSpeech().decide({ type: 'EXTEND_SPEECH', extensionMs }), accepts({ type: 'SPEECH_EXTENDED', speechId: 101, extensionMs }));
    });

    it('adds up successive extensions on the running timer', () => {
      const script = roomWithSpeech().then({ type: 'EXTEND_SPEECH', extensionMs: 30 * SEC }).then({ type: 'EXTEND_SPEECH', extensionMs: 45 * SEC });
      expect(script.state.current!.timer).toMatchObject({ allottedMs: 3 * MIN, extendedMs: 75 * SEC });
    });
  });

  describe('INTERRUPT_SPEECH', () => {
    /** 101 (3 min) speaks 100 s, pauses 30 s, speaks 100 s more: 200 s spoken, 20 s over. */
    const overrunning = () => roomWithSpeech().elapse(100 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(30 * SEC).then({ type: 'RESUME_SPEECH' }).elapse(100 * SEC);

    it('records the interruption alone, and the speech goes on, when not cutting off', () => {
      const script = overrunning();
      const events = script.run({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: '讲具体数字', cutOff: false });
      expect(events).toEqual([{ type: 'SPEECH_INTERRUPTED', speechId: 101, reason: 'EMPTY_TALK', note: '讲具体数字', cutOff: false, seq: 6, at: script.now, actorId: 7 }]);
      expect(script.state.current).toMatchObject({ speechId: 101, interruptions: [{ seq: 6, reason: 'EMPTY_TALK', note: '讲具体数字', at: script.now, cutOff: false }] });
      expect(script.state.speeches[0].status).toBe(SpeechStatus.SPEAKING);
    });

    it('with cutOff, records SPEECH_INTERRUPTED then SPEECH_ENDED(cutOff) with the time spoken and the overtime at now', () => {
      const script = overrunning();
      expectOutcome(
        script.decide({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: '虚话套话', cutOff: true }),
        accepts(
          { type: 'SPEECH_INTERRUPTED', speechId: 101, reason: 'EMPTY_TALK', note: '虚话套话', cutOff: true },
          { type: 'SPEECH_ENDED', speechId: 101, spokenMs: 200 * SEC, overtimeMs: 20 * SEC, cutOff: true },
        ),
      );
      expect(decideRoom(script.state, { type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: null, cutOff: true }, script.now + 5 * SEC)).toMatchObject([
        {},
        { spokenMs: 205 * SEC, overtimeMs: 25 * SEC },
      ]);
    });

    it('with cutOff, leaves the speech CUT_OFF and nobody speaking, both events at the same instant with consecutive seqs', () => {
      const script = overrunning();
      const events = script.run({ type: 'INTERRUPT_SPEECH', reason: 'OFF_TOPIC', note: null, cutOff: true });
      expect(events.map((e) => [e.type, e.seq, e.at])).toEqual([
        ['SPEECH_INTERRUPTED', 6, script.now],
        ['SPEECH_ENDED', 7, script.now],
      ]);
      expect(script.state.current).toBeNull();
      expect(script.state.speeches[0]).toMatchObject({ status: SpeechStatus.CUT_OFF, endedAt: script.now, spokenMs: 200 * SEC, overtimeMs: 20 * SEC });
    });

    it('cutting off a paused speech counts the time spoken up to the pause only', () => {
      const script = roomWithSpeech().elapse(40 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(5 * MIN);
      expect(script.run({ type: 'INTERRUPT_SPEECH', reason: 'OTHER', note: null, cutOff: true })[1]).toMatchObject({ type: 'SPEECH_ENDED', spokenMs: 40 * SEC, overtimeMs: 0 });
    });

    it.each([
      ['501 ASCII characters', 'x'.repeat(MAX_NOTE_CHARS + 1)],
      ['501 Chinese characters', '虚'.repeat(MAX_NOTE_CHARS + 1)],
    ])('refuses a note of %s as BAD_USER_INPUT on note', (_what, note) => {
      expectOutcome(roomWithSpeech().decide({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note, cutOff: false }), badInput('note'));
    });

    it.each([
      ['500 ASCII characters', 'x'.repeat(MAX_NOTE_CHARS)],
      ['500 astral characters (1000 UTF-16 units)', '🀄'.repeat(MAX_NOTE_CHARS)],
    ])('accepts a note of %s', (_what, note) => {
      expect(MAX_NOTE_CHARS).toBe(500);
      expectOutcome(roomWithSpeech().decide({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note, cutOff: false }), accepts({ type: 'SPEECH_INTERRUPTED', speechId: 101, reason: 'EMPTY_TALK', note, cutOff: false }));
    });
  });

  describe('END_SPEECH', () => {
    it('records the time spoken without the pauses, and no overtime within the allowance', () => {
      const script = roomWithSpeech().elapse(50 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(5 * MIN).then({ type: 'RESUME_SPEECH' }).elapse(70 * SEC);
      expectOutcome(script.decide({ type: 'END_SPEECH' }), accepts({ type: 'SPEECH_ENDED', speechId: 101, spokenMs: 2 * MIN, overtimeMs: 0, cutOff: false }));
    });

    it('records as overtime only what was spoken beyond allotted + extended', () => {
      const script = roomWithSpeech().elapse(MIN).then({ type: 'EXTEND_SPEECH', extensionMs: 30 * SEC }).elapse(2 * MIN + 45 * SEC);
      expectOutcome(script.decide({ type: 'END_SPEECH' }), accepts({ type: 'SPEECH_ENDED', speechId: 101, spokenMs: 3 * MIN + 45 * SEC, overtimeMs: 15 * SEC, cutOff: false }));
    });

    it('records no overtime when the speech ends exactly as the allowance runs out', () => {
      const script = roomWithSpeech().elapse(3 * MIN);
      expectOutcome(script.decide({ type: 'END_SPEECH' }), accepts({ type: 'SPEECH_ENDED', speechId: 101, spokenMs: 3 * MIN, overtimeMs: 0, cutOff: false }));
    });

    it('ending a paused speech leaves out the pause in progress', () => {
      const script = roomWithSpeech().elapse(3 * MIN + 10 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(10 * MIN);
      expectOutcome(script.decide({ type: 'END_SPEECH' }), accepts({ type: 'SPEECH_ENDED', speechId: 101, spokenMs: 3 * MIN + 10 * SEC, overtimeMs: 10 * SEC, cutOff: false }));
    });
  });

  describe('RECORD_TIME_UP', () => {
    const timeUp = accepts({ type: 'TIME_UP', speechId: 101 });
    const nothing = accepts();
    const record: RoomCommand = { type: 'RECORD_TIME_UP' };

    it('emits nothing before the allowance runs out, TIME_UP when it does, and nothing a second time', () => {
      const script = roomWithSpeech().elapse(3 * MIN - 1);
      expectOutcome(script.decide(record), nothing);
      script.elapse(1);
      expectOutcome(script.decide(record), timeUp);
      script.run(record);
      expect(script.state.current!.timeUp).toBe(true);
      expectOutcome(script.decide(record), nothing);
      expectOutcome(script.elapse(MIN).decide(record), nothing);
    });

    it('records TIME_UP late when the alarm fires after the deadline', () => {
      expectOutcome(roomWithSpeech().elapse(3 * MIN + 2 * SEC).decide(record), timeUp);
    });

    it('emits nothing while paused, however much wall time passes, and fires once the resumed speech uses up its time', () => {
      const script = roomWithSpeech().elapse(100 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(10 * MIN);
      expectOutcome(script.decide(record), nothing);
      script.run({ type: 'RESUME_SPEECH' });
      expectOutcome(script.elapse(80 * SEC - 1).decide(record), nothing);
      expectOutcome(script.elapse(1).decide(record), timeUp);
    });

    it('waits for the resume when the speech was paused after running out but before TIME_UP was recorded', () => {
      const script = roomWithSpeech().elapse(3 * MIN + 5 * SEC).then({ type: 'PAUSE_SPEECH' }).elapse(MIN);
      expectOutcome(script.decide(record), nothing);
      script.run({ type: 'RESUME_SPEECH' });
      expectOutcome(script.decide(record), timeUp);
    });

    it('is re-armed by an extension: nothing while the extension lasts, TIME_UP again when it runs out', () => {
      const script = roomWithSpeech().elapse(3 * MIN).then(record).elapse(5 * SEC);
      script.run({ type: 'EXTEND_SPEECH', extensionMs: 30 * SEC });
      expect(script.state.current!.timeUp).toBe(false);
      expectOutcome(script.decide(record), nothing);
      expectOutcome(script.elapse(25 * SEC - 1).decide(record), nothing);
      expectOutcome(script.elapse(1).decide(record), timeUp);
      script.run(record);
      expectOutcome(script.elapse(SEC).decide(record), nothing);
      expect(script.log.filter((e) => e.type === 'TIME_UP')).toHaveLength(2);
    });

    it('reports the new allowance spent at once when an extension is shorter than the overtime already spoken', () => {
      const script = roomWithSpeech().elapse(3 * MIN).then(record).elapse(40 * SEC).then({ type: 'EXTEND_SPEECH', extensionMs: 30 * SEC });
      expectOutcome(script.decide(record), timeUp);
    });
  });

  describe('POST_COMMENT', () => {
    it('records a comment awaiting moderation as COMMENT_POSTED only, without its text', () => {
      const events = roomWithSpeech().run({ type: 'POST_COMMENT', commentId: 5, speechId: 101, approved: null });
      expect(events).toEqual([{ type: 'COMMENT_POSTED', commentId: 5, speechId: 101, seq: 4, at: T0 + 70 * SEC, actorId: 7 }]);
    });

    it('emits COMMENT_POSTED then COMMENT_APPROVED with the shown comment when it is pre-approved', () => {
      const shown = approvedComment(6, { speechId: 101, body: '承诺的10万张床位如何分年度落实？' });
      expectOutcome(
        roomWithSpeech().decide({ type: 'POST_COMMENT', commentId: 6, speechId: 101, approved: shown }),
        accepts({ type: 'COMMENT_POSTED', commentId: 6, speechId: 101 }, { type: 'COMMENT_APPROVED', ...shown }),
      );
    });

    it('refuses a comment about a speech that is not in the line-up as BAD_USER_INPUT on speechId', () => {
      expectOutcome(roomWithSpeech().decide({ type: 'POST_COMMENT', commentId: 5, speechId: 999, approved: null }), badInput('speechId'));
    });

    it('refuses comments once the room is CLOSED', () => {
      const decision = roomIn(RoomPhase.CLOSED).decide({ type: 'POST_COMMENT', commentId: 5, speechId: null, approved: null });
      expectOutcome(decision, invalidIn(RoomPhase.CLOSED));
      expect((decision as AppError).message).toContain('comments are closed');
    });
  });

  describe('MODERATE_COMMENT', () => {
    it('approving emits COMMENT_APPROVED carrying what the screen shows', () => {
      const shown = approvedComment(8, { authorName: '宽城满族自治县 与会干部' });
      expectOutcome(roomIn(RoomPhase.EXCHANGE).decide({ type: 'MODERATE_COMMENT', commentId: 8, approved: shown }), accepts({ type: 'COMMENT_APPROVED', ...shown }));
    });

    it('rejecting emits COMMENT_REJECTED with the comment id only', () => {
      expectOutcome(roomIn(RoomPhase.EVALUATION).decide({ type: 'MODERATE_COMMENT', commentId: 8, approved: null }), accepts({ type: 'COMMENT_REJECTED', commentId: 8 }));
    });

    it('refuses moderation once the room is CLOSED (the comments are part of the record)', () => {
      const decision = roomIn(RoomPhase.CLOSED).decide({ type: 'MODERATE_COMMENT', commentId: 8, approved: null });
      expectOutcome(decision, invalidIn(RoomPhase.CLOSED));
      expect((decision as AppError).message).toContain('part of the record');
    });
  });

  describe('POST_REVIEW', () => {
    it('accepts commentary on the speech being given', () => {
      const review = { ...REVIEW, speechId: 101 };
      expectOutcome(roomWithSpeech().decide({ type: 'POST_REVIEW', ...review }), accepts({ type: 'REVIEW_POSTED', ...review }));
    });

    it('accepts commentary on a speech that was cut off, later in the EXCHANGE', () => {
      const script = roomWithSpeech().elapse(MIN).then({ type: 'INTERRUPT_SPEECH', reason: 'EMPTY_TALK', note: null, cutOff: true }).then({ type: 'ADVANCE_PHASE', to: RoomPhase.EXCHANGE });
      expectOutcome(script.decide({ type: 'POST_REVIEW', ...REVIEW }), accepts({ type: 'REVIEW_POSTED', ...REVIEW }));
    });

    it('refuses commentary on a speech that has not started', () => {
      const decision = roomWithSpeech().decide({ type: 'POST_REVIEW', ...REVIEW, speechId: 102 });
      expectOutcome(decision, invalidIn(RoomPhase.SPEECHES));
      expect((decision as AppError).message).toContain('speech 102 has not started yet');
    });

    it('refuses commentary on a speech that is not in the line-up as BAD_USER_INPUT on speechId', () => {
      expectOutcome(roomIn(RoomPhase.SUMMARY).decide({ type: 'POST_REVIEW', ...REVIEW, speechId: 999 }), badInput('speechId'));
    });

    it.each([RoomPhase.SCHEDULED, RoomPhase.EVALUATION, RoomPhase.CLOSED])('refuses commentary in %s', (phase) => {
      expectOutcome(roomIn(phase).decide({ type: 'POST_REVIEW', ...REVIEW }), invalidIn(phase));
    });
  });

  describe('OPEN_EVALUATION / CAST_BALLOT / CLOSE_EVALUATION / PUBLISH_EVALUATION', () => {
    const result: PublishedResult = { speechId: 101, rank: 1, grade: 'EXCELLENT', score: 3.6, excellent: 12, good: 20, average: 3, poor: 0, droppedByTie: false };

    it('runs open → ballots → close → publish, and the room shows the progress', () => {
      const script = roomIn(RoomPhase.EVALUATION);
      script.run({ type: 'OPEN_EVALUATION', entitledVoters: 35 });
      expect(script.state.evaluation).toEqual({ status: 'OPEN', entitledVoters: 35, quorum: 0, ballotsCast: 0, closeReason: null, results: null, keyFingerprint: null });
      script.run({ type: 'CAST_BALLOT', ballotsCast: 1 });
      script.run({ type: 'CAST_BALLOT', ballotsCast: 2 });
      expect(script.state.evaluation).toMatchObject({ status: 'OPEN', ballotsCast: 2 });
      expect(script.run({ type: 'CLOSE_EVALUATION', ballotsCast: 2 })).toMatchObject([{ type: 'EVALUATION_CLOSED', ballotsCast: 2 }]);
      script.run({ type: 'PUBLISH_EVALUATION', results: [result] });
      expect(script.state.evaluation).toEqual({ status: 'PUBLISHED', entitledVoters: 35, quorum: 0, ballotsCast: 2, closeReason: null, results: [result], keyFingerprint: null });
    });

    it('keeps the reason of a close below the quorum', () => {
      const script = roomIn(RoomPhase.EVALUATION);
      script.run({ type: 'OPEN_EVALUATION', entitledVoters: 30, quorum: 20 });
      expect(script.state.evaluation?.quorum).toBe(20);
      expect(script.run({ type: 'CLOSE_EVALUATION', ballotsCast: 12, closeReason: '大雪封路，部分同志未能到会' })).toMatchObject([
        { type: 'EVALUATION_CLOSED', ballotsCast: 12, closeReason: '大雪封路，部分同志未能到会' },
      ]);
      expect(script.state.evaluation).toMatchObject({ status: 'CLOSED', ballotsCast: 12, closeReason: '大雪封路，部分同志未能到会' });
    });

    it('records a batch of ballots only when its count is higher than the room shows (another instance may have recorded it)', () => {
      const script = roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 35 });
      expectOutcome(script.decide({ type: 'CAST_BALLOT', ballotsCast: 0 }), accepts());
      script.run({ type: 'CAST_BALLOT', ballotsCast: 12 });
      expectOutcome(script.decide({ type: 'CAST_BALLOT', ballotsCast: 12 }), accepts());
      expectOutcome(script.decide({ type: 'CAST_BALLOT', ballotsCast: 9 }), accepts());
      expectOutcome(script.decide({ type: 'CAST_BALLOT', ballotsCast: 13 }), accepts({ type: 'BALLOT_CAST', ballotsCast: 13 }));
    });

    it('refuses to open the evaluation twice as CONFLICT', () => {
      const script = roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 35 });
      expectOutcome(script.decide({ type: 'OPEN_EVALUATION', entitledVoters: 35 }), conflict);
    });

    it('refuses to close the session while the evaluation is open, and allows it once the evaluation is closed', () => {
      const script = roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 35 });
      const close: RoomCommand = { type: 'ADVANCE_PHASE', to: RoomPhase.CLOSED };
      expectOutcome(script.decide(close), invalidIn(RoomPhase.EVALUATION));
      script.run({ type: 'CLOSE_EVALUATION', ballotsCast: 0 });
      expectOutcome(script.decide(close), accepts({ type: 'PHASE_CHANGED', from: RoomPhase.EVALUATION, to: RoomPhase.CLOSED }));
    });

    it('refuses ballots once the evaluation is closed, saying so in extensions.status', () => {
      const script = roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 35 }).then({ type: 'CLOSE_EVALUATION', ballotsCast: 0 });
      expectOutcome(script.decide({ type: 'CAST_BALLOT', ballotsCast: 1 }), notOpen('CLOSED'));
    });

    it('refuses to publish an evaluation that is still open as CONFLICT', () => {
      const script = roomIn(RoomPhase.EVALUATION).then({ type: 'OPEN_EVALUATION', entitledVoters: 35 });
      expectOutcome(script.decide({ type: 'PUBLISH_EVALUATION', results: [result] }), conflict);
    });
  });
});

import fc from 'fast-check';
import { elapsedMs, extendTimer, pauseTimer, readTimer, resumeTimer, startTimer, TimerState } from '../../../src/modules/room/timer';
import { T0 } from './room-script';

const MIN = 60_000;

describe('timer', () => {
  describe(startTimer.name, () => {
    it('starts with nothing spoken, nothing extended, and the allowance ending allottedMs after the start', () => {
      const t = startTimer(T0, 3 * MIN);
      expect(t).toEqual({ startedAt: T0, allottedMs: 3 * MIN, extendedMs: 0, pausedMs: 0, pausedAt: null });
      expect(readTimer(t, T0)).toEqual({ running: true, allottedMs: 3 * MIN, extendedMs: 0, elapsedMs: 0, remainingMs: 3 * MIN, overtimeMs: 0, endsAt: T0 + 3 * MIN });
    });
  });

  describe(elapsedMs.name, () => {
    it('counts the wall time since the start while nothing has been paused', () => {
      expect(elapsedMs(startTimer(T0, 3 * MIN), T0 + 42_000)).toBe(42_000);
    });

    it('leaves out a pause that has ended', () => {
      const t = resumeTimer(pauseTimer(startTimer(T0, 3 * MIN), T0 + 10_000), T0 + 40_000);
      expect(t.pausedMs).toBe(30_000);
      expect(elapsedMs(t, T0 + 50_000)).toBe(20_000);
    });

    it('leaves out the pause in progress: the reading stays frozen however long the pause lasts', () => {
      const paused = pauseTimer(startTimer(T0, 3 * MIN), T0 + 25_000);
      expect(elapsedMs(paused, T0 + 25_000)).toBe(25_000);
      expect(elapsedMs(paused, T0 + 25_000 + 10 * MIN)).toBe(25_000);
    });

    it('leaves out several pauses, the last one still in progress', () => {
      let t = startTimer(T0, 3 * MIN);
      t = pauseTimer(t, T0 + 10_000); // spoke 10 s
      t = resumeTimer(t, T0 + 15_000); // paused 5 s
      t = pauseTimer(t, T0 + 35_000); // spoke 20 s
      t = resumeTimer(t, T0 + 45_000); // paused 10 s
      t = pauseTimer(t, T0 + 50_000); // spoke 5 s, paused since
      expect(elapsedMs(t, T0 + 5 * MIN)).toBe(35_000);
    });

    it('never reads negative when asked about an instant before the start (a lagging clock)', () => {
      expect(elapsedMs(startTimer(T0, 3 * MIN), T0 - 500)).toBe(0);
    });
  });

  describe(readTimer.name, () => {
    it('follows start → pause → resume → extend, with endsAt null while paused and shifted by the pause after resume', () => {
      const started = startTimer(T0, 3 * MIN);
      expect(readTimer(started, T0 + MIN)).toEqual({
        running: true, allottedMs: 3 * MIN, extendedMs: 0, elapsedMs: MIN, remainingMs: 2 * MIN, overtimeMs: 0, endsAt: T0 + 3 * MIN,
      });

      const paused = pauseTimer(started, T0 + MIN);
      expect(readTimer(paused, T0 + MIN + 30_000)).toEqual({
        running: false, allottedMs: 3 * MIN, extendedMs: 0, elapsedMs: MIN, remainingMs: 2 * MIN, overtimeMs: 0, endsAt: null,
      });

      const resumed = resumeTimer(paused, T0 + MIN + 30_000);
      expect(readTimer(resumed, T0 + MIN + 40_000)).toEqual({
        running: true, allottedMs: 3 * MIN, extendedMs: 0, elapsedMs: MIN + 10_000, remainingMs: 2 * MIN - 10_000, overtimeMs: 0, endsAt: T0 + 3 * MIN + 30_000,
      });

      const extended = extendTimer(resumed, MIN);
      expect(readTimer(extended, T0 + MIN + 40_000)).toEqual({
        running: true, allottedMs: 3 * MIN, extendedMs: MIN, elapsedMs: MIN + 10_000, remainingMs: 3 * MIN - 10_000, overtimeMs: 0, endsAt: T0 + 4 * MIN + 30_000,
      });
    });

    it('keeps endsAt equal to now + remainingMs while running, so every instance shows the same countdown', () => {
      const t = extendTimer(resumeTimer(pauseTimer(startTimer(T0, 3 * MIN), T0 + 20_000), T0 + 65_000), 30_000);
      for (const now of [T0 + 65_000, T0 + 100_000, T0 + 3 * MIN]) {
        const r = readTimer(t, now);
        expect(r.endsAt).toBe(now + r.remainingMs);
      }
    });

    it('reads zero remaining and zero overtime at exactly allotted + extended', () => {
      const t = extendTimer(startTimer(T0, 3 * MIN), 45_000);
      expect(readTimer(t, T0 + 3 * MIN + 45_000)).toMatchObject({ elapsedMs: 3 * MIN + 45_000, remainingMs: 0, overtimeMs: 0 });
    });

    it('counts overtime only beyond allotted + extended, and only spoken time (not the pauses)', () => {
      let t = startTimer(T0, 3 * MIN);
      t = pauseTimer(t, T0 + MIN);
      t = resumeTimer(t, T0 + 2 * MIN); // 1 min pause
      t = extendTimer(t, 30_000); // budget 3.5 min, ends at T0 + 4.5 min
      expect(readTimer(t, T0 + 4 * MIN + 29_999)).toMatchObject({ remainingMs: 1, overtimeMs: 0 });
      expect(readTimer(t, T0 + 5 * MIN)).toMatchObject({ elapsedMs: 4 * MIN, remainingMs: 0, overtimeMs: 30_000, endsAt: T0 + 4 * MIN + 30_000 });
    });

    it('gives time back when an extension is granted in overtime', () => {
      const late = startTimer(T0, 3 * MIN);
      expect(readTimer(late, T0 + 3 * MIN + 20_000)).toMatchObject({ remainingMs: 0, overtimeMs: 20_000 });
      expect(readTimer(extendTimer(late, MIN), T0 + 3 * MIN + 20_000)).toMatchObject({ remainingMs: 40_000, overtimeMs: 0, endsAt: T0 + 4 * MIN });
    });
  });

  describe(resumeTimer.name, () => {
    it('returns a running timer unchanged (resuming twice does not count a pause twice)', () => {
      const resumed = resumeTimer(pauseTimer(startTimer(T0, MIN), T0 + 1000), T0 + 5000);
      expect(resumeTimer(resumed, T0 + 9000)).toBe(resumed);
      expect(resumed.pausedMs).toBe(4000);
    });
  });

  describe('operations', () => {
    it('never change the timer they are given (the state is a value, replayable from the log)', () => {
      const t = Object.freeze(startTimer(T0, MIN));
      const copy = { ...t };
      pauseTimer(t, T0 + 1);
      extendTimer(t, 1000);
      resumeTimer(Object.freeze(pauseTimer(t, T0 + 1)), T0 + 2);
      expect(t).toEqual(copy);
    });
  });

  describe('invariants', () => {
    type Step = { kind: 'advance'; ms: number } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'extend'; ms: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 * MIN }).map((ms): Step => ({ kind: 'advance', ms })) },
      { weight: 2, arbitrary: fc.constant<Step>({ kind: 'pause' }) },
      { weight: 2, arbitrary: fc.constant<Step>({ kind: 'resume' }) },
      { weight: 1, arbitrary: fc.integer({ min: 1000, max: 30 * MIN }).map((ms): Step => ({ kind: 'extend', ms })) },
    );

    /**
     * Walks a random session of one speech. The room only pauses a running timer (the decider refuses a second
     * pause), so the walk does the same. Beside the timer it keeps its own tally of spoken time — the sum of the
     * advances made while running — as the oracle for elapsedMs.
     */
    it('hold for any sequence of pause / resume / extend / passing time', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1000, max: 30 * MIN }), fc.array(step, { maxLength: 60 }), (allottedMs, steps) => {
          let now = T0;
          let t: TimerState = startTimer(T0, allottedMs);
          let spoken = 0;
          let previous = readTimer(t, now);
          for (const s of steps) {
            const running = t.pausedAt === null;
            if (s.kind === 'advance') {
              now += s.ms;
              if (running) spoken += s.ms;
            } else if (s.kind === 'pause') {
              if (running) t = pauseTimer(t, now);
            } else if (s.kind === 'resume') {
              t = resumeTimer(t, now);
            } else {
              t = extendTimer(t, s.ms);
            }

            const r = readTimer(t, now);
            const budget = r.allottedMs + r.extendedMs;
            expect(r.elapsedMs).toBe(spoken);
            expect(r.remainingMs).toBe(Math.max(0, budget - r.elapsedMs));
            expect(r.overtimeMs).toBe(Math.max(0, r.elapsedMs - budget));
            // remaining − overtime is budget − elapsed on both sides of the deadline, and one of them is always 0
            expect(r.elapsedMs + r.remainingMs - r.overtimeMs).toBe(budget);
            expect(Math.min(r.remainingMs, r.overtimeMs)).toBe(0);
            expect(r.elapsedMs).toBeGreaterThanOrEqual(previous.elapsedMs);
            expect(r.elapsedMs).toBeLessThanOrEqual(now - T0);
            expect(r.running).toBe(t.pausedAt === null);
            if (r.running) expect(r.endsAt! - now).toBe(budget - r.elapsedMs);
            else expect(r.endsAt).toBeNull();
            previous = r;
          }
        }),
      );
    });
  });
});

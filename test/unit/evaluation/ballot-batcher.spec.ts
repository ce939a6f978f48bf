import { BallotBatcher, BallotBatcherOptions, Timers } from '../../../src/modules/evaluation/ballot-batcher';

/** Timers that fire only when the test moves time. */
class TestTimers implements Timers {
  now = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  get armed(): number {
    return this.due.size;
  }

  /** Moves time by `ms`, firing what falls due in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const [id, timer] = [...this.due].filter(([, t]) => t.at <= until).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0] ?? [];
      if (!timer) break;
      this.due.delete(id!);
      this.now = timer.at;
      timer.fn();
      await settle();
    }
    this.now = until;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A record the test finishes by hand; `calls` lists the session of each record started. */
function recorder() {
  const calls: number[] = [];
  const open: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const record = (sessionId: number) =>
    new Promise<void>((resolve, reject) => {
      calls.push(sessionId);
      open.push({ resolve, reject });
    });
  return {
    calls,
    record,
    /** Finishes the oldest record under way. */
    finish: async (err?: Error) => {
      const r = open.shift()!;
      if (err) r.reject(err);
      else r.resolve();
      await settle();
    },
    get running() {
      return open.length;
    },
  };
}

function setup(options: Partial<BallotBatcherOptions> = {}) {
  const timers = new TestTimers();
  const rec = recorder();
  const errors: unknown[] = [];
  const batcher = new BallotBatcher(rec.record, { windowMs: 50, maxWaitMs: 1000, retries: 2, timers, onError: (err) => errors.push(err), ...options });
  /** committed(), with whether it has resolved yet. */
  const commit = (sessionId = 1) => {
    const state = { done: false };
    void batcher.committed(sessionId).then(() => (state.done = true));
    return state;
  };
  return { timers, rec, errors, batcher, commit };
}

describe(BallotBatcher.name, () => {
  it('records the first ballot after a quiet window at once, and answers it when that record is done', async () => {
    const { rec, commit } = setup();
    const first = commit();
    await settle();
    expect(rec.calls).toEqual([1]);
    expect(first.done).toBe(false);
    await rec.finish();
    expect(first.done).toBe(true);
  });

  it('gathers the ballots committed during the window into one record at its end', async () => {
    const { timers, rec, commit } = setup();
    commit();
    await rec.finish();
    const later = Array.from({ length: 30 }, () => commit());
    await timers.advance(49);
    expect(rec.calls).toEqual([1]);
    await timers.advance(1);
    expect(rec.calls).toEqual([1, 1]);
    expect(later.some((c) => c.done)).toBe(false);
    await rec.finish();
    expect(later.every((c) => c.done)).toBe(true);
  });

  it('makes a ballot committed while a record runs wait for the next record, which starts after it', async () => {
    const { timers, rec, commit } = setup();
    const first = commit();
    await settle();
    const during = commit();
    await timers.advance(200);
    expect(rec.calls).toEqual([1]);
    await rec.finish();
    expect(first.done).toBe(true);
    expect(during.done).toBe(false);
    expect(rec.calls).toEqual([1, 1]);
    await rec.finish();
    expect(during.done).toBe(true);
  });

  it('keeps sessions apart', async () => {
    const { rec, commit } = setup();
    commit(1);
    commit(2);
    commit(1);
    await settle();
    expect(rec.calls).toEqual([1, 2]);
  });

  it('answers after maxWaitMs when the record takes longer, without a second record', async () => {
    const { timers, rec, commit } = setup();
    const c = commit();
    await timers.advance(999);
    expect(c.done).toBe(false);
    await timers.advance(1);
    expect(c.done).toBe(true);
    expect(rec.calls).toEqual([1]);
  });

  it('answers the ballots of a failed record, tries it again a window later, and gives up after the retries', async () => {
    const { timers, rec, errors, commit } = setup({ retries: 2 });
    const c = commit();
    await settle();
    await rec.finish(new Error('lock wait'));
    expect(c.done).toBe(true);
    expect(errors).toHaveLength(1);
    await timers.advance(50);
    expect(rec.calls).toEqual([1, 1]);
    await rec.finish(new Error('lock wait'));
    await timers.advance(50);
    expect(rec.calls).toEqual([1, 1, 1]);
    await rec.finish(new Error('lock wait'));
    await timers.advance(500);
    expect(rec.calls).toEqual([1, 1, 1]);
    expect(errors).toHaveLength(3);
    expect(timers.armed).toBe(0);
  });

  it('flush records what waits now, without waiting for the window', async () => {
    const { rec, batcher, commit } = setup();
    commit();
    await rec.finish();
    const waiting = commit();
    const flushed = batcher.flush(1);
    await settle();
    expect(rec.calls).toEqual([1, 1]);
    await rec.finish();
    await flushed;
    expect(waiting.done).toBe(true);
    await batcher.flush(1);
    expect(rec.calls).toEqual([1, 1]);
  });

  it('close records everything pending, leaves no timer armed, and answers later ballots at once', async () => {
    const { timers, rec, batcher, commit } = setup();
    commit(1);
    await rec.finish();
    const a = commit(1);
    const b = commit(2);
    await settle();
    let closed = false;
    void batcher.close().then(() => (closed = true));
    await settle();
    expect(rec.calls.sort()).toEqual([1, 1, 2]);
    await rec.finish();
    await rec.finish();
    expect(closed).toBe(true);
    expect(a.done && b.done).toBe(true);
    expect(timers.armed).toBe(0);
    const after = commit(3);
    await settle();
    expect(after.done).toBe(true);
    expect(rec.running).toBe(0);
  });

  it('never runs two records of one session at once, and records once per window at most, whatever the load', async () => {
    const { timers, rec, commit } = setup();
    const starts: number[] = [];
    for (let t = 0; t < 1000; t += 5) {
      for (let i = 0; i < 3; i++) commit();
      await settle();
      while (rec.calls.length > starts.length) starts.push(timers.now);
      expect(rec.running).toBeLessThanOrEqual(1);
      if (rec.running && t % 20 === 0) await rec.finish();
      await timers.advance(5);
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(50);
  });
});

import { ServiceBusyError } from '../../../src/common/errors';
import { BallotWriter } from '../../../src/modules/evaluation/ballot-writer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A write the test finishes by hand, recording the groups it was given. */
function writes() {
  const groups: { sessionId: number; items: string[]; done: boolean; finish: (stored?: boolean[]) => void; fail: (err: Error) => void }[] = [];
  const write = (sessionId: number, items: string[]) =>
    new Promise<boolean[]>((resolve, reject) => {
      const group = {
        sessionId,
        items,
        done: false,
        finish: (stored?: boolean[]) => ((group.done = true), resolve(stored ?? items.map(() => true))),
        fail: (err: Error) => ((group.done = true), reject(err)),
      };
      groups.push(group);
    });
  /** Finishes every group as it comes, until none is left. */
  const finishAll = async () => {
    for (let open = groups.filter((g) => !g.done); open.length; open = groups.filter((g) => !g.done)) {
      open.forEach((g) => g.finish());
      await tick();
    }
  };
  return { groups, write, finishAll };
}


describe(BallotWriter.name, () => {
  it('writes a lone ballot at once, and the ballots that arrive meanwhile together in the next group', async () => {
    const { groups, write } = writes();
    const writer = new BallotWriter(write, { maxBatch: 200, maxWaitMs: 2000 });
    const first = writer.submit(1, 'a');
    await tick();
    expect(groups.map((g) => g.items)).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((v) => writer.submit(1, v));
    await tick();
    expect(groups).toHaveLength(1);
    groups[0].finish();
    expect(await first).toBe(true);
    await tick();
    expect(groups.map((g) => g.items)).toEqual([['a'], ['b', 'c', 'd']]);
    groups[1].finish([true, false, true]);
    expect(await Promise.all(later)).toEqual([true, false, true]);
  });

  it('splits a crowd into groups of at most maxBatch, and keeps sessions apart', async () => {
    const { groups, write, finishAll } = writes();
    const writer = new BallotWriter(write, { maxBatch: 2, maxWaitMs: 2000 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((v) => writer.submit(7, v));
    const other = writer.submit(8, 'x');
    await tick();
    expect(groups.map((g) => [g.sessionId, g.items])).toEqual([[7, ['a']], [8, ['x']]]);
    await finishAll();
    expect(await Promise.all(all)).toEqual([true, true, true, true, true]);
    expect(await other).toBe(true);
    expect(groups.filter((g) => g.sessionId === 7).map((g) => g.items)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('gives every ballot of a failed group its error, and goes on with the next group', async () => {
    const { groups, write } = writes();
    const writer = new BallotWriter(write, { maxBatch: 10, maxWaitMs: 2000 });
    const a = writer.submit(1, 'a');
    await tick();
    const [b, c] = [writer.submit(1, 'b'), writer.submit(1, 'c')];
    groups[0].fail(new Error('not open'));
    await expect(a).rejects.toThrow('not open');
    await tick();
    groups[1].fail(new Error('deadlock'));
    await expect(b).rejects.toThrow('deadlock');
    await expect(c).rejects.toThrow('deadlock');
    const d = writer.submit(1, 'd');
    await tick();
    groups[2].finish();
    expect(await d).toBe(true);
  });

  it('refuses, retryably and unwritten, a ballot that waited for its group past maxWaitMs', async () => {
    const { groups, write } = writes();
    let now = 0;
    const writer = new BallotWriter(write, { maxBatch: 10, maxWaitMs: 2000, now: () => now });
    const a = writer.submit(1, 'a');
    await tick();
    const late = writer.submit(1, 'late');
    now = 2500;
    const fresh = writer.submit(1, 'fresh');
    groups[0].finish();
    await a;
    const refused = await late.catch((err) => err);
    expect(refused).toBeInstanceOf(ServiceBusyError);
    expect(refused.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, reason: 'queue' });
    await tick();
    expect(groups.map((g) => g.items)).toEqual([['a'], ['fresh']]);
    groups[1].finish();
    expect(await fresh).toBe(true);
  });
});

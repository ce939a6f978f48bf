import { PasswordHasher } from '../../../src/auth/passwords';
import { ServiceBusyError } from '../../../src/common/errors';

/** A piece of work the test finishes by hand. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

describe(PasswordHasher.name, () => {
  it('runs `concurrency` at a time, queues what can expect a slot within maxWaitMs, and refuses the rest at once', async () => {
    // With nothing measured yet a hash is taken to last 30 ms: the 21st in line would wait 21 / 2 × 30 ms = 315 ms > 300 ms, so 2 run and 20 wait.
    const hasher = new PasswordHasher({ concurrency: 2, maxWaitMs: 300 });
    const gates = Array.from({ length: 22 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) => hasher.run(async () => { started.push(i); await g.done; return i; }));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(hasher.load()).toEqual({ running: 2, waiting: 20 });

    const refused = await hasher.run(async () => 'never').catch((err) => err);
    expect(refused).toBeInstanceOf(ServiceBusyError);
    expect(refused.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, reason: 'password-hashing' });
    // Come back when the line is half as long (315 ms − 150 ms); the next refused, one slot's share (15 ms) later.
    expect(refused.extensions.retryAfterMs).toBeGreaterThanOrEqual(164);
    expect(refused.extensions.retryAfterMs).toBeLessThanOrEqual(166);
    const next = (() => { try { hasher.admit(); } catch (err) { return err as ServiceBusyError; } })()!;
    expect(Number(next.extensions.retryAfterMs)).toBeGreaterThan(refused.extensions.retryAfterMs);
    expect(Number(next.extensions.retryAfterMs) - refused.extensions.retryAfterMs).toBeLessThanOrEqual(16);

    // Slots pass in arrival order, and the line shortens as work finishes.
    gates[0].open();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual(gates.map((_, i) => i));
    expect(started).toEqual(gates.map((_, i) => i));
    expect(hasher.load()).toEqual({ running: 0, waiting: 0 });
    expect(() => hasher.admit()).not.toThrow();
  });

  it('frees its slot when the work fails', async () => {
    const hasher = new PasswordHasher({ concurrency: 1, maxWaitMs: 0 });
    await expect(hasher.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(hasher.load()).toEqual({ running: 0, waiting: 0 });
    await expect(hasher.run(async () => 'ok')).resolves.toBe('ok');
  });
});

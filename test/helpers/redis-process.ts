import { ChildProcess, spawn, spawnSync } from 'node:child_process';

/** Throws a clear error when the redis-server binary is missing (the fault tests run their own Redis). */
export function assertRedisServerInstalled(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `redis-server is not installed or does not run (${probe.error?.message ?? probe.stderr}); ` +
        'the fault tests start their own Redis on a free port: install it (apt-get install redis-server)',
    );
  }
}

/**
 * A private redis-server on its own port, a child of the test, that the test may kill and start again. Nothing is
 * persisted: a restart comes back empty, as after a crash of a cache-only Redis.
 */
export class RedisProcess {
  private child: ChildProcess | null = null;
  private out = '';

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    if (this.running) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${timeoutMs} ms:\n${this.out}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        this.out += chunk.toString();
        if (/Ready to accept connections/.test(this.out.slice(-4000))) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          child.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => (this.out += c.toString()));
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${this.out}`));
      });
    });
  }

  /** Kills it (SIGKILL by default: a crash) and waits until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
    this.child = null;
  }
}

import { createServer, connect, Server, Socket } from 'node:net';

/** A port nobody listens on right now (bound once, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type CutMode =
  /** The cable is pulled and the host says so: every connection is reset, new ones are refused (ECONNREFUSED). */
  | 'reset'
  /**
   * The network goes silent (Wi-Fi lost): open connections stay open but carry nothing either way, so only
   * keep-alives notice; new connections fail at once. On restore the silent connections are dropped.
   */
  | 'blackhole';

interface Pair {
  client: Socket;
  upstream: Socket;
  silenced: boolean;
}

/**
 * A TCP forwarder on a port of its own, for faults the tests inject between a client and a server (a phone's
 * network, the database link): `cut()` takes the link away, `restore()` gives it back on the same port.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private mode: 'up' | CutMode = 'up';
  /** In a blackhole, hold new connections silent too (a partition: connects time out) instead of failing them. */
  private holdNew = false;
  /** Connections accepted since start, for diagnostics. */
  accepted = 0;

  private constructor(
    private target: { host: string; port: number },
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, port?: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, port ?? (await freePort()));
    await proxy.listen();
    return proxy;
  }

  get isUp(): boolean {
    return this.mode === 'up';
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  /** Where new connections go (open ones keep their upstream). */
  retarget(target: { host: string; port: number }): void {
    this.target = target;
  }

  async cut(mode: CutMode = 'reset', options: { holdNew?: boolean } = {}): Promise<void> {
    if (this.mode !== 'up') return;
    this.mode = mode;
    this.holdNew = options.holdNew ?? false;
    if (mode === 'reset') {
      for (const pair of this.pairs) this.drop(pair);
      await this.unlisten();
    } else {
      for (const pair of this.pairs) this.silence(pair);
    }
  }

  async restore(): Promise<void> {
    if (this.mode === 'up') return;
    const was = this.mode;
    this.mode = 'up';
    // Connections silenced by a blackhole are dead to both ends by now (or should be): drop them.
    for (const pair of [...this.pairs]) if (pair.silenced) this.drop(pair);
    if (was === 'reset') await this.listen();
  }

  async close(): Promise<void> {
    this.mode = 'reset';
    for (const pair of this.pairs) this.drop(pair);
    await this.unlisten();
  }

  private async listen(): Promise<void> {
    // The port was ours a moment ago; retry briefly in case the kernel has not let go of it yet.
    for (let attempt = 0; ; attempt++) {
      const server = createServer((client) => this.accept(client));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        this.server = server;
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async unlisten(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    client.setNoDelay(true);
    if (this.mode !== 'up') {
      if (this.mode === 'blackhole' && this.holdNew) {
        // Accepted by the kernel, never answered: the peer's connect timeout has to notice.
        const pair: Pair = { client, upstream: new Socket(), silenced: true };
        this.pairs.add(pair);
        client.on('error', () => undefined);
        client.on('data', () => undefined);
      } else {
        client.destroy();
      }
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    upstream.setNoDelay(true);
    const pair: Pair = { client, upstream, silenced: false };
    this.pairs.add(pair);
    const onEnd = () => {
      if (!pair.silenced) this.drop(pair);
    };
    client.on('error', onEnd);
    upstream.on('error', onEnd);
    client.on('close', onEnd);
    upstream.on('close', onEnd);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private silence(pair: Pair): void {
    pair.silenced = true;
    pair.client.unpipe(pair.upstream);
    pair.upstream.unpipe(pair.client);
    // Read and discard, so neither end sees back-pressure: the bytes simply never arrive.
    pair.client.removeAllListeners('data');
    pair.upstream.removeAllListeners('data');
    pair.client.on('data', () => undefined);
    pair.upstream.on('data', () => undefined);
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  }
}

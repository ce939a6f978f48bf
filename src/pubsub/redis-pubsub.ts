import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import type { Logger } from '../common/logger';
import type { Handler, PubSub, Topics } from './pubsub';

/**
 * Several instances: one connection publishes, one listens to every topic and hands messages to local handlers.
 * ioredis reconnects and resubscribes by itself; while Redis is away, publishing fails quietly (instances catch up
 * from the log), which is why nothing here is the record.
 */
export class RedisPubSub implements PubSub {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly local = new EventEmitter().setMaxListeners(0);

  constructor(
    url: string,
    private readonly logger: Logger,
    /** Channels are `<prefix><topic>`. */
    private readonly prefix = 'leitai:',
  ) {
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false } as const;
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const conn of [this.pub, this.sub]) conn.on('error', (err) => this.logger.warn({ err: err.message }, 'redis'));
    this.sub.on('message', (channel: string, message: string) => {
      if (!channel.startsWith(this.prefix)) return;
      try {
        this.local.emit(channel.slice(this.prefix.length), JSON.parse(message));
      } catch (err) {
        this.logger.warn({ err, channel }, 'dropped a malformed pub/sub message');
      }
    });
  }

  async publish<K extends keyof Topics>(topic: K, payload: Topics[K]): Promise<void> {
    try {
      await this.pub.publish(this.prefix + topic, JSON.stringify(payload));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, topic }, 'publish failed; subscribers will catch up from the log');
    }
  }

  subscribe<K extends keyof Topics>(topic: K, handler: Handler<Topics[K]>): () => void {
    if (this.local.listenerCount(topic) === 0) {
      this.sub.subscribe(this.prefix + topic).catch((err) => this.logger.warn({ err: err.message, topic }, 'subscribe failed'));
    }
    this.local.on(topic, handler);
    return () => this.local.off(topic, handler);
  }

  /** The publishing connection, shared with the rate limits (it fails fast while Redis is away). */
  get client(): Redis {
    return this.pub;
  }

  /** Resolves once both connections are up, so a misconfigured REDIS_URL fails start-up instead of going quiet. */
  async ready(timeoutMs = 5000): Promise<void> {
    const up = (conn: Redis) =>
      conn.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`Redis not reachable within ${timeoutMs} ms`)), timeoutMs);
            conn.once('ready', () => {
              clearTimeout(timer);
              resolve();
            });
          });
    await Promise.all([up(this.pub), up(this.sub)]);
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

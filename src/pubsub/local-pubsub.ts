import { EventEmitter } from 'node:events';
import type { Handler, PubSub, Topics } from './pubsub';

/** One process: messages go straight to this process's subscribers. */
export class LocalPubSub implements PubSub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish<K extends keyof Topics>(topic: K, payload: Topics[K]): Promise<void> {
    this.emitter.emit(topic, payload);
  }

  subscribe<K extends keyof Topics>(topic: K, handler: Handler<Topics[K]>): () => void {
    this.emitter.on(topic, handler);
    return () => this.emitter.off(topic, handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

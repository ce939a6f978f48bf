/** Every topic and the shape of its messages: publishing the wrong shape does not compile. */
export interface Topics {
  /** "Session S's log has reached seq N": a wake-up only; the log in the database is the truth. */
  roomAdvanced: { sessionId: number; seq: number };
}

export type Handler<T> = (payload: T) => void;

/** Messages between instances. In-process when there is one instance; Redis when there are several. */
export interface PubSub {
  publish<K extends keyof Topics>(topic: K, payload: Topics[K]): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe<K extends keyof Topics>(topic: K, handler: Handler<Topics[K]>): () => void;
  close(): Promise<void>;
}

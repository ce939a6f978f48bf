/**
 * A push-driven AsyncIterator for subscriptions. Unlike an async generator, `return()` ends it at once even while
 * a `next()` is waiting, so an unsubscribing client is released immediately. With `conflate`, an unread item is
 * replaced by a newer one (a newer room state supersedes an older one).
 */
export class LiveQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private failWaiting: ((err: unknown) => void) | null = null;
  private done = false;
  private error: unknown = null;

  constructor(
    private readonly onClose: () => void = () => undefined,
    private readonly conflate = false,
  ) {}

  push(item: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: item, done: false });
    } else if (this.conflate && this.items.length > 0) {
      this.items[this.items.length - 1] = item;
    } else {
      this.items.push(item);
    }
  }

  /** Ends the stream with an error (delivered after the items already queued). */
  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = this.failWaiting = null;
      this.finish();
      reject(err);
    }
  }

  get size(): number {
    return this.items.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.error !== null) {
      const err = this.error;
      this.finish();
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.items.length = 0;
    const resolve = this.waiting;
    this.waiting = this.failWaiting = null;
    resolve?.({ value: undefined, done: true });
    this.onClose();
  }
}

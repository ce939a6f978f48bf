import type { DocumentNode } from 'graphql';
import type { Audiences } from './audiences';
import { complete, errorPayload, sendNext, type Connection, type LiveParts } from './connection';
import { CLOSE } from './protocol';

/**
 * roomEvents: each subscriber reads the hub's gap-free iterator from its own afterSeq, so order and completeness
 * are the hub's; what is shared is the executed, serialised payload per (audience, seq). A subscriber is never
 * skipped, but past the hard buffer cap its socket is closed (1013), to resume with afterSeq.
 */
export async function streamRoomEvents(
  parts: LiveParts,
  audiences: Audiences,
  c: Connection,
  id: string,
  sessionId: number,
  afterSeq: number | null,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | null,
  isStopped: () => boolean,
): Promise<void> {
  const source: AsyncIterableIterator<{ seq: number }> = await parts.feed.events(sessionId, afterSeq);
  if (isStopped()) {
    void source.return?.();
    return;
  }
  const { execution, contextFor, counters } = parts;
  const audience = audiences.acquire(document, operationName, variables, c.principal);
  let closed = false;
  c.subscriptions.set(id, () => {
    closed = true;
    void source.return?.();
  });
  const payloadOf = (item: { seq: number }) =>
    audiences.payload(audience, item.seq, () => {
      counters.roomExecutions += 1;
      return execution.runEvent(document, operationName, item, variables, contextFor(c.principal)).then((result) => execution.serialize(result));
    });
  try {
    for (;;) {
      const next = await source.next();
      if (next.done || closed) break;
      const json = await payloadOf(next.value);
      if (closed) break;
      sendNext(c, id, json);
      counters.roomDeliveries += 1;
      if (c.socket.bufferedAmount > parts.hardBufferBytes) {
        c.socket.close(CLOSE.tryAgainLater, 'Too far behind: resubscribe with afterSeq');
        break;
      }
    }
  } catch (err) {
    if (!closed) sendNext(c, id, errorPayload(execution, err));
  } finally {
    audiences.release(audience);
  }
  if (!closed) complete(c, id);
  void source.return?.();
}

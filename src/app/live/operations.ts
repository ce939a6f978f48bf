import { ExecutionResult, GraphQLError, getOperationAST, getVariableValues, subscribe } from 'graphql';
import { checkedAfterSeq, visibleSession } from '../../modules/room/room-access';
import { codedExecutionErrors } from '../execution/errors';
import type { Audiences } from './audiences';
import { complete, errorPayload, send, sendNext, type Connection, type LiveParts } from './connection';
import { DocumentCache, rootField, roomArgs } from './documents';
import { streamRoomEvents } from './room-events';
import type { StateGroups } from './state-groups';

const ROOM_FIELDS = new Set(['roomState', 'roomEvents']);
const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } });

export interface OperationLimits {
  /** Running operations per socket. */
  maxPerSocket: number;
}

/**
 * A `subscribe` message: checked as the HTTP endpoint checks a request (the same documents rules, guard and error
 * codes, through the shared execution), then run. Queries and mutations run once through the execution; the room's
 * two subscriptions go to the shared fan-out (state groups, room events); any other subscription runs on graphql-js.
 */
export class Operations {
  private readonly documents: DocumentCache;

  constructor(
    private readonly parts: LiveParts,
    private readonly audiences: Audiences,
    private readonly states: StateGroups,
    private readonly limits: OperationLimits,
  ) {
    this.documents = new DocumentCache(parts.execution.schema);
  }

  async start(c: Connection, id: string, query: string, variables: unknown, operationName: unknown): Promise<void> {
    const { execution } = this.parts;
    const refuse = (errors: readonly unknown[]) => send(c, { id, type: 'error', payload: execution.format(errors) });
    // As Apollo refuses them in a request body.
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return refuse([badRequest('`variables` should be provided as an object')]);
    if (operationName !== null && typeof operationName !== 'string') return refuse([badRequest('`operationName` must be a string if provided')]);
    return this.run(c, id, query, variables as Record<string, unknown>, operationName, refuse);
  }

  private async run(c: Connection, id: string, query: string, variables: Record<string, unknown>, operationName: string | null, refuse: (errors: readonly unknown[]) => void): Promise<void> {
    const { execution } = this.parts;
    const { document, errors } = this.documents.get(query);
    if (errors.length) return refuse(errors);
    const guarded = execution.guard(variables, document, c.principal);
    if (guarded) return refuse([guarded]);
    if (c.subscriptions.size >= this.limits.maxPerSocket) {
      return refuse([new GraphQLError(`at most ${this.limits.maxPerSocket} operations per socket`, { extensions: { code: 'RATE_LIMITED' } })]);
    }
    const operation = getOperationAST(document, operationName);
    // Reserve the id at once, so a duplicate sent while this one starts is refused.
    let stopped = false;
    c.subscriptions.set(id, () => (stopped = true));
    const finish = (result?: ExecutionResult) => {
      if (stopped || !c.subscriptions.has(id)) return;
      if (result) sendNext(c, id, execution.serialize(result));
      complete(c, id);
    };
    try {
      if (operation?.operation !== 'subscription') {
        const context = this.parts.contextFor(c.principal, null, c.ip);
        return finish(await execution.run({ document, operationName, kind: operation?.operation, variables, context }));
      }
      const field = rootField(operation);
      if (field && ROOM_FIELDS.has(field.name.value) && operation.selectionSet.selections.length === 1) {
        // Coerced as graphql-js would (defaults, types), since the shared room feed reads its arguments itself.
        const coerced = getVariableValues(execution.schema, operation.variableDefinitions ?? [], variables);
        if (coerced.errors) return finish({ errors: codedExecutionErrors(coerced.errors) });
        return await this.startRoom(c, id, field.name.value as 'roomState' | 'roomEvents', field, coerced.coerced, document, operationName, () => stopped);
      }
      const stream = await subscribe({ schema: execution.schema, document, variableValues: variables, operationName, contextValue: this.parts.contextFor(c.principal) });
      if (!(Symbol.asyncIterator in stream)) return finish({ ...stream, errors: stream.errors && codedExecutionErrors(stream.errors) });
      c.subscriptions.set(id, () => {
        stopped = true;
        void stream.return?.();
      });
      for await (const result of stream) {
        if (stopped) break;
        sendNext(c, id, execution.serialize(result));
      }
      finish();
    } catch (err) {
      if (!stopped && c.subscriptions.has(id)) {
        sendNext(c, id, errorPayload(execution, err));
        complete(c, id);
      }
    }
  }

  /** A room subscription, authorised for this subscriber, then joined to the shared fan-out of its audience. */
  private async startRoom(
    c: Connection,
    id: string,
    name: 'roomState' | 'roomEvents',
    field: Parameters<typeof roomArgs>[1],
    variables: Record<string, unknown>,
    document: Parameters<StateGroups['join']>[3],
    operationName: string | null,
    isStopped: () => boolean,
  ): Promise<void> {
    const args = roomArgs(this.parts.execution.schema, field, variables);
    let sessionId: number;
    let afterSeq: number | null = null;
    try {
      // The access check reads only who asks (no loaders): a crowd subscribing builds no per-subscriber context.
      sessionId = visibleSession({ principal: c.principal, authError: null }, name, args.sessionId);
      if (name === 'roomEvents') afterSeq = checkedAfterSeq(args.afterSeq);
    } catch (err) {
      sendNext(c, id, errorPayload(this.parts.execution, err));
      return complete(c, id);
    }
    if (name === 'roomState') return this.states.join(c, id, sessionId, document, variables, operationName);
    return streamRoomEvents(this.parts, this.audiences, c, id, sessionId, afterSeq, document, variables, operationName, isStopped);
  }
}

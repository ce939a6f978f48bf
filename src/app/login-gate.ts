import type { RequestHandler } from 'express';
import { Kind, parse } from 'graphql';
import { ServiceBusyError } from '../common/errors';

/** Documents seen, and whether each is nothing but a `login` mutation; a storm sends the same few again and again. */
const MAX_REMEMBERED = 64;
/** A sign-in document is short; anything longer is left to the GraphQL pipeline. */
const MAX_LOGIN_DOCUMENT_CHARS = 2000;

/** Whether a document is a single mutation whose only field is `login` (aliased or not), without directives. */
export function isLoginOnly(query: string): boolean {
  if (query.length > MAX_LOGIN_DOCUMENT_CHARS) return false;
  try {
    const doc = parse(query, { maxTokens: 200 });
    if (doc.definitions.length !== 1) return false;
    const [op] = doc.definitions;
    if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'mutation' || op.directives?.length) return false;
    const [field, ...more] = op.selectionSet.selections;
    return more.length === 0 && field.kind === Kind.FIELD && field.name.value === 'login' && !field.directives?.length;
  } catch {
    return false;
  }
}

/**
 * Sheds a sign-in storm's surplus at the door. While every password-hashing slot and the short line behind them are
 * taken, a request that is nothing but a `login` is answered at once with the very refusal the resolver would give
 * (`admit` is the one the resolver calls first: SERVICE_UNAVAILABLE, retryable, with its place in the come-back
 * schedule) — without the GraphQL pipeline, so that the hall's 200 sign-ins at 8:59 leave the event loop free for
 * everyone else's requests. Anything else, and every login while there is room, goes on to GraphQL as usual.
 */
export function loginGate(admit: () => void): RequestHandler {
  const known = new Map<string, boolean>();
  return (req, res, next) => {
    const body = req.body as { query?: unknown } | undefined;
    if (req.method !== 'POST' || typeof body?.query !== 'string') return next();
    const query = body.query;
    let loginOnly = known.get(query);
    if (loginOnly === undefined) {
      loginOnly = isLoginOnly(query);
      if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value!);
      known.set(query, loginOnly);
    }
    if (!loginOnly) return next();
    try {
      admit();
    } catch (err) {
      if (!(err instanceof ServiceBusyError)) return next(err);
      res.status(200).json({ errors: [{ message: err.message, path: ['login'], extensions: err.extensions }], data: null });
      return;
    }
    next();
  };
}

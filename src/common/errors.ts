import { GraphQLError } from 'graphql';

/** The generic codes of the public contract (docs/README.md). Modules add their own codes by subclassing with a code of their prefix. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | (string & {});

/**
 * Every error a client may see on purpose. Anything that is not an AppError (nor a GraphQL syntax/validation
 * error) is masked as INTERNAL_SERVER_ERROR by the error formatter.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = new.target.name;
  }

  get code(): string {
    return String(this.extensions.code);
  }
}

export class BadUserInputError extends AppError {
  constructor(message: string, field?: string) {
    super('BAD_USER_INPUT', message, field ? { field } : {});
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number, field?: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { what, id: String(id), ...(field ? { field } : {}) });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super('CONFLICT', message, field ? { field } : {});
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'sign in first: send Authorization: Bearer <token>') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'your role does not allow this') {
    super('FORBIDDEN', message);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterMs: number) {
    super('RATE_LIMITED', message, { retryAfterMs });
  }
}

/**
 * The server is busy (every password-hashing slot taken, a lock not granted in time): nothing was done, the same
 * request may be sent again after `retryAfterMs`. SERVICE_UNAVAILABLE with `retryable: true`.
 */
export class ServiceBusyError extends AppError {
  constructor(message: string, retryAfterMs: number, reason: string) {
    super('SERVICE_UNAVAILABLE', message, { retryAfterMs, retryable: true, reason });
  }
}

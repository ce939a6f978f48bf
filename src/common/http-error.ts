import type { Response } from 'express';
import { AppError } from './errors';

/**
 * An error of a plain HTTP route (a file to download rather than a GraphQL operation): its status, and the code
 * its JSON body carries in the same shape as a GraphQL error, `{ errors: [{ message, extensions: { code } }] }`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_OF: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, SERVICE_UNAVAILABLE: 503 };

/** What a route answers for `err`: its own status, an AppError's code mapped to one, and anything else masked as 500. */
export function httpErrorOf(err: unknown, what = 'request'): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof AppError) return new HttpError(STATUS_OF[err.code] ?? 500, err.code, err.message);
  return new HttpError(500, 'INTERNAL_SERVER_ERROR', `${what} failed`);
}

/** Answers with the JSON error, or cuts the response off when part of the file has already been sent. */
export function sendHttpError(res: Response, err: unknown, what?: string): void {
  if (res.headersSent) {
    res.destroy(err as Error);
    return;
  }
  const e = httpErrorOf(err, what);
  res.status(e.status).json({ errors: [{ message: e.message, extensions: { code: e.code } }] });
}

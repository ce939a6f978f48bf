/** graphql-transport-ws as the live socket speaks it: the subprotocol and its close codes. */

export const PROTOCOL = 'graphql-transport-ws';
/**
 * Close codes. The 44xx are graphql-ws's, with its meanings: its client gives up at once on 4400, 4401, 4406, 4409,
 * 4429 and 4500, and retries 4403 and 4408 as its `shouldRetry` decides. Of RFC 6455's, it retries 1001 and 1013.
 */
export const CLOSE = {
  badRequest: 4400,
  unauthorized: 4401,
  /**
   * The token sent in connection_init was refused (reason `Forbidden: <why>`), or the browser's Origin is not
   * allowed (reason `Forbidden origin`): as graphql-ws's server does when onConnect refuses. Retrying with the same
   * token cannot help; our pages stop and say so.
   */
  forbidden: 4403,
  initTimeout: 4408,
  subscriberExists: 4409,
  tooManyInits: 4429,
  /**
   * Temporary conditions that a retry may get past: a user already holding the most sockets allowed (reason
   * `Too many connections: …`; once one of theirs closes, the next attempt gets in), and an events reader too far
   * behind (resubscribe with afterSeq). Distinct from 4403, so a client never mistakes the cap for a bad token.
   */
  tryAgainLater: 1013,
  goingAway: 1001,
} as const;
/** After sending 1001 at shutdown, how long a peer has to answer the close handshake before it is cut off (ms). */
export const CLOSE_HANDSHAKE_MS = 1000;

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455); a longer one would make ws throw. */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let cut = text.slice(0, 120);
  while (Buffer.byteLength(`${cut}…`) > 123) cut = cut.slice(0, -1);
  return `${cut}…`;
}

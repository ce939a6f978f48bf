import pino, { Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; one logger for the process, children carry the request id. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'leitai' } });
}

import { NotFoundError } from './errors';

/**
 * GraphQL IDs arrive as strings; rows are keyed by integers. An id that cannot be an integer cannot name a row,
 * so it is reported exactly like an id that names no row.
 */
export function parseId(what: string, value: string | number, field?: string): number {
  const n = typeof value === 'number' ? value : /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new NotFoundError(what, String(value), field);
  return n;
}

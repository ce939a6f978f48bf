import { ApiError } from '../shared/api';
import { h } from '../shared/dom';
import type { Lang } from '../shared/i18n';
import type { DeskWords } from './words';

/** What the desk's panels share: the caller's token, the words, and one way to report what went wrong. */
export interface Desk {
  lang: Lang;
  w: DeskWords;
  token: string;
  api<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A refused action, shown for a few seconds; a lost sign-in sends the user back to the form. */
  fail(err: unknown): void;
  toast(message: string, kind?: 'ok' | 'error'): void;
  /** A file link with the token in its query (a plain link cannot send a header). */
  fileUrl(path: string): string;
}

/** One problem of an import, where the spreadsheet has it. */
export interface ImportError {
  row: number;
  column: string | null;
  message: string;
}

/** What an import would do (preview) or did (apply): docs/imports.md. */
export interface ImportAnswer {
  mode: 'preview' | 'apply';
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
  items?: { row: number; username?: string; name?: string; action: string; changes?: unknown[] }[];
}

export function explain(w: DeskWords, err: unknown): string {
  if (err instanceof ApiError) return `${w.errors[err.code] ?? err.code}: ${err.message}`;
  return String(err);
}

/**
 * Sends a spreadsheet to an import route as the request body. An answer with errors (the file is refused, nothing
 * changed) is still an answer, so it is returned for the page to show row by row; anything else not 2xx throws.
 */
export async function upload(desk: Desk, path: string, file: File): Promise<ImportAnswer> {
  const type = file.type || (file.name.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${desk.token}` }, body: file });
  } catch {
    throw new ApiError('the server is unreachable', 'NETWORK');
  }
  const body = (await res.json().catch(() => null)) as (Partial<ImportAnswer> & { errors?: { message: string; extensions?: { code?: string } }[] }) | null;
  if (body && typeof body.mode === 'string' && Array.isArray(body.errors)) return body as ImportAnswer;
  const first = body?.errors?.[0];
  throw new ApiError(first?.message ?? `the server answered ${res.status}`, first?.extensions?.code ?? (res.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'UNKNOWN'));
}

/** A table with a header row; `rows` are cells of text. */
export function table(id: string, head: readonly string[], rows: readonly (readonly (string | number | Node)[])[], rowClass?: (i: number) => string | null): HTMLTableElement {
  return h(
    'table',
    { id, class: 'grid-table' },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows.map((cells, i) => h('tr', { class: rowClass?.(i) ?? null }, ...cells.map((c) => h('td', {}, typeof c === 'number' ? String(c) : c))))),
  );
}

export const formatWhen = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export interface SessionRow {
  id: string;
  number: number;
  title: string;
  phase: string;
  startsAt: string;
  venue: string;
  attendeeCount: number;
  sealedAt: string | null;
  theme: { title: string };
}

export const SESSION_ROWS = `{ sessions(first: 100) { edges { node { id number title phase startsAt venue attendeeCount sealedAt theme { title } } } } }`;

export async function loadSessions(desk: Desk): Promise<SessionRow[]> {
  const data = await desk.api<{ sessions: { edges: { node: SessionRow }[] } }>(SESSION_ROWS);
  return data.sessions.edges.map((e) => e.node);
}

export interface RegionRow {
  id: string;
  name: string;
}

export interface CadreRow {
  id: string;
  name: string;
  position: string;
  region: { name: string };
}

export async function loadRegions(desk: Desk): Promise<RegionRow[]> {
  return (await desk.api<{ regions: RegionRow[] }>(`{ regions { id name } }`)).regions;
}

export async function loadCadres(desk: Desk, regionId: string): Promise<CadreRow[]> {
  const data = await desk.api<{ cadres: { edges: { node: CadreRow }[] } }>(
    `query($r: ID) { cadres(regionId: $r, first: 100) { edges { node { id name position region { name } } } } }`,
    { r: regionId },
  );
  return data.cadres.edges.map((e) => e.node);
}

/** A select of regions; `first` is the label of the empty choice. */
export function regionSelect(id: string, regions: readonly RegionRow[], first: string): HTMLSelectElement {
  return h('select', { id }, h('option', { value: '' }, first), ...regions.map((r) => h('option', { value: r.id }, r.name)));
}

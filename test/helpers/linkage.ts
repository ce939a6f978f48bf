/**
 * The linkage analysis: given what a database keeps (its binary log, decoded by `mysqlbinlog --verbose`, and its
 * tables) and the server's log, does anything pair a voter with a grade? Pure: text and rows in, findings out.
 *
 * A voter and a grade are linked when
 *  - a transaction that writes a grade row also writes a row, or runs a statement, that mentions the voter (the
 *    binlog keeps a transaction's rows together, as InnoDB's redo and undo logs do); or
 *  - a value written with a grade (in its transaction) is also found in a row, or a log line, that mentions the
 *    voter. The values that every ballot of the session carries by what it is — the session id, and a grade row's
 *    speech and grade, which are the ballot's content — say nothing of whose it is and are not compared.
 */

export interface BinlogRow {
  database: string;
  table: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  /** The row as it was (UPDATE, DELETE) and as it is (INSERT, UPDATE), by column name. */
  before: Record<string, string> | null;
  after: Record<string, string> | null;
}

export interface BinlogTransaction {
  /** MariaDB's GTID of the event group, e.g. `0-1-42`. */
  gtid: string;
  rows: BinlogRow[];
  /** The statements' text the binlog annotates the row events with (`#Q>`). */
  statements: string[];
}

export interface Voter {
  id: number;
  username: string;
}

export interface Link {
  voterId: number;
  how: 'same transaction' | 'shared value in the binlog' | 'shared value in a table' | 'shared value in the log';
  detail: string;
}

export interface LinkageReport {
  transactions: number;
  /** Grade rows written, and the transactions that wrote them. */
  gradeRows: number;
  gradeTransactions: number;
  /** Rows written that mention one of the voters (binlog), by table. */
  voterRowsByTable: Record<string, number>;
  links: Link[];
}

const GRADE_TABLE = 'ballot_grades';
/** Columns that name a user: the account itself, its author, actor, auditor or whoever did something (`…_by_id`). */
const USER_COLUMN = /^(user|author|actor|auditor|voter)_id$|_by_id$/;
/** In JSON payloads and log lines: `"userId":7`, `"actor_id": 7`. */
const USER_KEY = /"(?:user|actor|author|auditor|voter)_?[Ii]d"\s*:\s*"?(\d+)"?/g;
/** Columns whose value every ballot of the session shares, or that are the ballot's content. */
const NOT_DISTINGUISHING = new Set(['session_id', 'speech_id', 'grade']);

/** Splits decoded binlog text into event groups (one per GTID) with their row events named by column. */
export function parseBinlog(text: string, columns: Map<string, string[]>, database: string): BinlogTransaction[] {
  const out: BinlogTransaction[] = [];
  let current: BinlogTransaction | null = null;
  let row: BinlogRow | null = null;
  let image: 'before' | 'after' = 'after';
  let values: string[] = [];
  const flush = () => {
    if (row) {
      const names = columns.get(row.table) ?? [];
      const named = Object.fromEntries(values.map((v, i) => [names[i] ?? `@${i + 1}`, v]));
      row[image] = named;
    }
    values = [];
  };
  const endRow = () => {
    flush();
    if (row && current && row.database === database) current.rows.push(row);
    row = null;
  };
  for (const line of text.split('\n')) {
    const gtid = /\tGTID (\d+-\d+-\d+)/.exec(line);
    if (gtid) {
      endRow();
      current = { gtid: gtid[1], rows: [], statements: [] };
      out.push(current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('#Q> ')) {
      current.statements.push(line.slice(4));
      continue;
    }
    const start = /^### (INSERT INTO|UPDATE|DELETE FROM) `([^`]+)`\.`([^`]+)`/.exec(line);
    if (start) {
      endRow();
      const op = start[1] === 'INSERT INTO' ? 'INSERT' : start[1] === 'UPDATE' ? 'UPDATE' : 'DELETE';
      row = { database: start[2], table: start[3], op, before: null, after: null };
      image = op === 'INSERT' ? 'after' : 'before';
      continue;
    }
    if (!row) continue;
    if (line === '### WHERE') {
      flush();
      image = 'before';
    } else if (line === '### SET') {
      flush();
      image = 'after';
    } else {
      const value = /^###   @\d+=(.*)$/.exec(line);
      if (value) values.push(decodeValue(value[1]));
      else if (!line.startsWith('###')) endRow();
    }
  }
  endRow();
  return out.filter((t) => t.rows.length > 0);
}

/** `'it\'s'` → `it's`; `-1 (4294967295)` → `4294967295`; `NULL` stays `NULL`. */
function decodeValue(raw: string): string {
  if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1).replace(/\\(['\\])/g, '$1');
  const unsigned = /^-?\d+ \((\d+)\)$/.exec(raw);
  return unsigned ? unsigned[1] : raw;
}

/** The voters a row (or a line of text) mentions: as an account, a user column, a JSON key or by username. */
export function votersMentioned(table: string, row: Record<string, unknown>, voters: Voter[]): Set<number> {
  const ids = new Set(voters.map((v) => v.id));
  const found = new Set<number>();
  for (const [column, raw] of Object.entries(row)) {
    if (raw === null || raw === undefined) continue;
    const value = typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    if ((table === 'users' && column === 'id') || USER_COLUMN.test(column)) {
      const n = Number(value);
      if (ids.has(n)) found.add(n);
    }
    for (const id of votersInText(value, voters)) found.add(id);
  }
  return found;
}

/** The voters a text names, by username or by a user key in JSON. */
export function votersInText(text: string, voters: Voter[]): Set<number> {
  const found = new Set<number>();
  const ids = new Set(voters.map((v) => v.id));
  for (const m of text.matchAll(USER_KEY)) if (ids.has(Number(m[1]))) found.add(Number(m[1]));
  for (const v of voters) if (new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(v.username)}($|[^A-Za-z0-9_])`).test(text)) found.add(v.id);
  return found;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The values a grade's transaction writes that could single out a ballot: every value of every row in it but the
 * session id, the grade rows' content (speech, grade), NULL, booleans and empty strings.
 */
export function distinguishingValues(t: BinlogTransaction): Set<string> {
  const out = new Set<string>();
  for (const row of t.rows) {
    for (const image of [row.before, row.after]) {
      for (const [column, value] of Object.entries(image ?? {})) {
        if (NOT_DISTINGUISHING.has(column) || value === 'NULL' || value === '' || value === '0' || value === '1') continue;
        out.add(value);
      }
    }
  }
  return out;
}

const WHOLE_NUMBER = /^\d+$/;

/**
 * The string values (not whole numbers, at least 4 characters) that `text` contains anywhere (JSON, SQL, a log
 * line). Whole numbers are compared by column only (`sharedValue`).
 */
function stringsIn(values: Set<string>, text: string): string[] {
  return [...values].filter((value) => !WHOLE_NUMBER.test(value) && value.length >= 4 && text.includes(value));
}

function rowText(row: Record<string, unknown>): string {
  return Object.values(row)
    .map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)))
    .join('\u0000');
}

/**
 * Whole-number values are compared only with the same column of the same table (a speech's 17 and a user's 17 are
 * different things); strings are compared with every value of the row.
 */
function sharedValue(values: Set<string>, byColumn: Map<string, Set<string>>, table: string, row: Record<string, unknown>): string | null {
  for (const [column, raw] of Object.entries(row)) {
    const value = String(raw);
    if (WHOLE_NUMBER.test(value) && values.has(value) && byColumn.get(`${table}.${column}`)?.has(value)) return `${table}.${column}=${value}`;
  }
  return stringsIn(values, rowText(row))[0] ?? null;
}

/** A transaction's values by `table.column`. */
function columnsOf(t: BinlogTransaction): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const row of t.rows) {
    for (const image of [row.before, row.after]) {
      for (const [c, v] of Object.entries(image ?? {})) out.set(`${row.table}.${c}`, (out.get(`${row.table}.${c}`) ?? new Set<string>()).add(v));
    }
  }
  return out;
}

export function analyseLinkage(input: {
  transactions: BinlogTransaction[];
  tables: Map<string, Record<string, unknown>[]>;
  log: string;
  voters: Voter[];
}): LinkageReport {
  const { transactions, tables, voters } = input;
  const links: Link[] = [];
  const voterRowsByTable: Record<string, number> = {};
  const voterRows: { gtid: string; row: BinlogRow; voters: Set<number> }[] = [];
  for (const t of transactions) {
    for (const row of t.rows) {
      const mentioned = new Set([...votersMentioned(row.table, row.before ?? {}, voters), ...votersMentioned(row.table, row.after ?? {}, voters)]);
      if (mentioned.size) {
        voterRowsByTable[row.table] = (voterRowsByTable[row.table] ?? 0) + 1;
        voterRows.push({ gtid: t.gtid, row, voters: mentioned });
      }
    }
  }
  const gradeTransactions = transactions.filter((t) => t.rows.some((r) => r.table === GRADE_TABLE));
  const logLines = input.log.split('\n').filter(Boolean);
  const voterLogLines = logLines.map((line) => ({ line, voters: votersInText(line, voters) })).filter((l) => l.voters.size > 0);
  const tableVoterRows = [...tables].flatMap(([table, rows]) => rows.map((row) => ({ table, row, voters: votersMentioned(table, row, voters) }))).filter((r) => r.voters.size > 0);

  // The statements' text the binlog keeps beside the rows (MariaDB's binlog_annotate_row_events), where it names a voter.
  const voterStatements = transactions.flatMap((t) => t.statements.map((text) => ({ gtid: t.gtid, text, voters: votersInText(text, voters) }))).filter((st) => st.voters.size > 0);

  for (const t of gradeTransactions) {
    const values = distinguishingValues(t);
    const byColumn = columnsOf(t);
    for (const st of voterStatements) {
      if (st.gtid === t.gtid) {
        for (const voterId of st.voters) links.push({ voterId, how: 'same transaction', detail: `${t.gtid}: the statement ${st.text.slice(0, 200)}` });
        continue;
      }
      for (const value of stringsIn(values, st.text)) {
        for (const voterId of st.voters) links.push({ voterId, how: 'shared value in the binlog', detail: `${t.gtid} and the statement of ${st.gtid} share ${value}` });
      }
    }
    for (const v of voterRows) {
      if (v.gtid === t.gtid) {
        for (const voterId of v.voters) links.push({ voterId, how: 'same transaction', detail: `${t.gtid}: ${v.row.op} ${v.row.table} beside ${GRADE_TABLE}` });
        continue;
      }
      for (const image of [v.row.before, v.row.after]) {
        const shared = image && sharedValue(values, byColumn, v.row.table, image);
        if (shared) for (const voterId of v.voters) links.push({ voterId, how: 'shared value in the binlog', detail: `${t.gtid} and ${v.gtid} (${v.row.table}) share ${shared}` });
      }
    }
    for (const v of tableVoterRows) {
      const shared = sharedValue(values, byColumn, v.table, v.row);
      if (shared) for (const voterId of v.voters) links.push({ voterId, how: 'shared value in a table', detail: `${t.gtid} and a row of ${v.table} share ${shared}` });
    }
    for (const l of voterLogLines) {
      for (const value of stringsIn(values, l.line)) {
        for (const voterId of l.voters) links.push({ voterId, how: 'shared value in the log', detail: `${t.gtid} and the log line ${l.line.slice(0, 200)} share ${value}` });
      }
    }
  }
  return {
    transactions: transactions.length,
    gradeRows: gradeTransactions.reduce((n, t) => n + t.rows.filter((r) => r.table === GRADE_TABLE).length, 0),
    gradeTransactions: gradeTransactions.length,
    voterRowsByTable,
    links,
  };
}

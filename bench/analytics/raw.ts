import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import { BENCH_DATABASE, Engine, MYSQL_SERVER } from './world';

export type Row = Record<string, unknown>;

/** The little of better-sqlite3 used here (the project has no @types for it; TypeORM loads it by name too). */
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}
type SqliteConstructor = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteDatabase;
const Database = createRequire(__filename)('better-sqlite3') as SqliteConstructor;

/**
 * The "raw" side: the driver itself, with no ORM, no GraphQL and no DataLoader in between — one connection, one
 * statement per query. On MariaDB that is a mysql2 connection (text protocol, like TypeORM's `query`); on SQLite a
 * read-only better-sqlite3 handle on the same file with its statements prepared once.
 */
export interface RawDb {
  readonly engine: Engine;
  all(sql: string, params: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function openRaw(engine: Engine, database: string): Promise<RawDb> {
  if (engine === 'mariadb') {
    const conn = await mysql.createConnection({ ...MYSQL_SERVER, database: BENCH_DATABASE, timezone: 'Z', charset: 'utf8mb4_unicode_ci' });
    return {
      engine,
      async all(sql, params) {
        const [rows] = await conn.query(sql, params as unknown[]);
        return rows as Row[];
      },
      close: () => conn.end(),
    };
  }
  const db = new Database(database, { readonly: true, fileMustExist: true });
  const statements = new Map<string, SqliteStatement>();
  return {
    engine,
    async all(sql, params) {
      let st = statements.get(sql);
      if (!st) {
        st = db.prepare(sql);
        statements.set(sql, st);
      }
      return st.all(...(params as unknown[])) as Row[];
    },
    async close() {
      db.close();
    },
  };
}

/** DATETIME(3) from mysql2 (a Date, UTC) or SQLite text ('YYYY-MM-DD HH:MM:SS.mmm', UTC) → ISO string. */
export function isoOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return new Date(`${String(v).replace(' ', 'T')}Z`).toISOString();
}

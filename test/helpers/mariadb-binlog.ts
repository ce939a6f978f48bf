import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from './server-process';

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

function found(names: string[]): string | null {
  for (const name of names) {
    const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return name;
  }
  return null;
}

/** The binaries the linkage test needs, or a clear error naming the package that brings each. */
function binaries(): { server: string; install: string; binlog: string } {
  const server = found(MARIADBD);
  const install = found(['mariadb-install-db', 'mysql_install_db']);
  const binlog = found(['mysqlbinlog', 'mariadb-binlog']);
  const missing = [!server && 'mariadbd (apt-get install mariadb-server)', !install && 'mariadb-install-db (mariadb-server)', !binlog && 'mysqlbinlog (mariadb-client)'].filter(Boolean);
  if (missing.length) throw new Error(`the linkage test starts a MariaDB of its own with the binary log on, and needs: ${missing.join(', ')}`);
  return { server: server!, install: install!, binlog: binlog! };
}

/**
 * A private MariaDB, a child of the test, in a data folder of its own on a free port, with the binary log on in ROW
 * format (what a replica or a point-in-time backup reads): the machine's own MariaDB runs without it.
 */
export class BinlogMariaDb {
  private child: ChildProcess | null = null;
  private out = '';
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: ReturnType<typeof binaries>,
  ) {}

  static async start(timeoutMs = 60_000): Promise<BinlogMariaDb> {
    const bin = binaries();
    const dir = mkdtempSync(join(tmpdir(), 'leitai-binlog-'));
    const install = spawnSync(bin.install, ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`${bin.install} failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
    const db = new BinlogMariaDb(dir, await freePort(), bin);
    await db.run(timeoutMs);
    return db;
  }

  /** `mysql://root@127.0.0.1:<port>/<database>`. */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  private async run(timeoutMs: number): Promise<void> {
    const child = spawn(
      this.bin.server,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        '--user=root',
        `--log-bin=${join(this.dir, 'binlog')}`,
        '--binlog-format=ROW',
        '--server-id=1',
        '--innodb-buffer-pool-size=64M',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => (this.out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.out += c.toString()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited (${child.exitCode}) before it was ready:\n${this.out}`);
      try {
        const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 2000 });
        await conn.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`mariadbd did not accept connections within ${timeoutMs} ms (${(err as Error).message}):\n${this.out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Runs statements as root, outside any database. */
  async sql(statement: string): Promise<unknown[]> {
    const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    try {
      const [rows] = await conn.query(statement);
      return rows as unknown[];
    } finally {
      await conn.end();
    }
  }

  /** Closes the current binary log and returns every one written so far, as `mysqlbinlog --verbose` decodes it. */
  async readBinlog(): Promise<string> {
    await this.sql('FLUSH BINARY LOGS');
    const files = readdirSync(this.dir)
      .filter((f) => /^binlog\.\d+$/.test(f))
      .sort()
      .map((f) => join(this.dir, f));
    const decoded = spawnSync(this.bin.binlog, ['--no-defaults', '--verbose', '--base64-output=DECODE-ROWS', ...files], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (decoded.status !== 0) throw new Error(`${this.bin.binlog} failed (${decoded.status}): ${decoded.stderr}`);
    return decoded.stdout;
  }

  /** Every row of every table of `database`, by table. */
  async dump(database: string): Promise<Map<string, Record<string, unknown>[]>> {
    const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', database, dateStrings: true });
    try {
      const [tables] = await conn.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database]);
      const out = new Map<string, Record<string, unknown>[]>();
      for (const { name } of tables as { name: string }[]) {
        const [rows] = await conn.query(`SELECT * FROM \`${name}\``);
        out.set(name, rows as Record<string, unknown>[]);
      }
      return out;
    } finally {
      await conn.end();
    }
  }

  /** Column names of every table of `database`, in ordinal order: what the binary log's @1, @2, … stand for. */
  async columns(database: string): Promise<Map<string, string[]>> {
    const rows = (await this.sql(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${database.replace(/'/g, "''")}' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    )) as { t: string; c: string }[];
    const out = new Map<string, string[]>();
    for (const { t, c } of rows) out.set(t, [...(out.get(t) ?? []), c]);
    return out;
  }

  output(): string {
    return this.out;
  }

  /** Stops it and removes its data folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    this.child = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

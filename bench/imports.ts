import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { ENTITIES } from '../src/app/entities';
import type { Principal } from '../src/auth/principal';
import { User } from '../src/auth/user.entity';
import { systemClock } from '../src/common/clock';
import { createDataSource } from '../src/db/data-source';
import type { ImportAnswer } from '../src/modules/imports/import-answer';
import { RosterImportService } from '../src/modules/imports/roster-import.service';
import { readSheet } from '../src/modules/imports/sheet';
import { Cadre } from '../src/modules/registry/cadre.entity';
import { Region } from '../src/modules/registry/region.entity';
import { ms, timeOnce } from './analytics/stats';
import { applyRowByRow } from './imports/naive';

/**
 * `npm run bench:imports [-- --quick] [-- --rows N] [-- --runs N] [-- --engine sqlite|mariadb]`
 *
 * A roster of 5,000 county officials (11 units) as an .xlsx file, imported on a fresh database: the parse alone
 * (the raw limit), the preview (parse, read, plan), the apply creating every account and cadre, the same file
 * applied again (all unchanged), and a file changing every 职务 — ours beside the row-by-row baseline
 * (bench/imports/naive.ts). Each measured on a fresh database per run; medians of the runs. Writes
 * bench/results/imports-<date>[-quick].json.
 */

const ROOT = resolve(__dirname, '..', '..');
const MYSQL_SERVER = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const BENCH_DATABASE = 'leitai_bench_imports';
const UNITS = ['双桥区', '双滦区', '鹰手营子矿区', '承德县', '兴隆县', '滦平县', '隆化县', '丰宁满族自治县', '宽城满族自治县', '围场满族蒙古族自治县', '平泉市'];

type Engine = 'sqlite' | 'mariadb';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const quick = process.argv.includes('--quick');
const ROWS = Number(arg('rows') ?? (quick ? 1000 : 5000));
const RUNS = Number(arg('runs') ?? (quick ? 2 : 3));
const ENGINES: Engine[] = arg('engine') ? [arg('engine') as Engine] : ['sqlite', 'mariadb'];

function rosterRows(positionSuffix: string): string[][] {
  return Array.from({ length: ROWS }, (_, i) => {
    const k = String(i + 1).padStart(5, '0');
    return [UNITS[i % UNITS.length], `干部${k}`, `${UNITS[i % UNITS.length]}副县长${positionSuffix}`, `cadre${k}`, i % 4 === 0 ? '发言人,与会' : '', `139${String(i).padStart(8, '0')}`];
  });
}

async function workbook(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('花名册');
  sheet.addRow(['单位', '姓名', '职务', '账号', '角色', '手机']);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function freshDatabase(engine: Engine, dir: string, run: number): Promise<DataSource> {
  if (engine === 'sqlite') {
    return createDataSource({ kind: 'sqlite', path: join(dir, `run-${run}-${Math.random().toString(36).slice(2)}.sqlite`) }, { entities: ENTITIES, synchronize: true }).initialize();
  }
  const conn = await mysql.createConnection(MYSQL_SERVER);
  await conn.query(`DROP DATABASE IF EXISTS \`${BENCH_DATABASE}\``);
  await conn.query(`CREATE DATABASE \`${BENCH_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const ds = await createDataSource({ kind: 'mysql', url: `mysql://root@127.0.0.1:3306/${BENCH_DATABASE}` }, { entities: ENTITIES }).initialize();
  await ds.runMigrations();
  return ds;
}

async function seed(ds: DataSource): Promise<Principal> {
  await ds.getRepository(Region).insert(UNITS.map((name, i) => ({ code: `unit${i + 1}`, name, nameEn: `Unit ${i + 1}` })));
  const { identifiers } = await ds.getRepository(User).insert({ username: 'secretary', displayName: '秘书处', passwordHash: '!', roles: ['secretary'], regionId: null });
  return { kind: 'user', userId: identifiers[0].id as number, username: 'secretary', roles: ['secretary'], regionId: null };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function expectAnswer(what: string, got: ImportAnswer, want: Partial<ImportAnswer>): void {
  for (const [k, v] of Object.entries(want)) {
    if ((got as unknown as Record<string, unknown>)[k] !== v) throw new Error(`${what}: ${k} is ${(got as unknown as Record<string, unknown>)[k]}, expected ${v} (${got.errors.slice(0, 3).map((e) => e.message).join('; ')})`);
  }
}

async function benchEngine(engine: Engine, files: { xlsx: Buffer; changed: Buffer }, dir: string) {
  const clock = systemClock;
  const samples: Record<string, number[]> = {};
  const record = (name: string, t: number) => (samples[name] ??= []).push(t);
  for (let run = 1; run <= RUNS; run++) {
    record('parse', await timeOnce(() => readSheet(files.xlsx)));
    let ds = await freshDatabase(engine, dir, run);
    try {
      const secretary = await seed(ds);
      const ours = new RosterImportService(ds, clock);
      let a!: ImportAnswer;
      record('preview', await timeOnce(async () => (a = await ours.run(await readSheet(files.xlsx), 'preview', secretary))));
      expectAnswer('preview', a, { created: ROWS });
      record('apply create', await timeOnce(async () => (a = await ours.run(await readSheet(files.xlsx), 'apply', secretary))));
      expectAnswer('apply', a, { applied: true, created: ROWS });
      record('apply again (unchanged)', await timeOnce(async () => (a = await ours.run(await readSheet(files.xlsx), 'apply', secretary))));
      expectAnswer('apply again', a, { unchanged: ROWS });
      record('apply update 职务', await timeOnce(async () => (a = await ours.run(await readSheet(files.changed), 'apply', secretary))));
      expectAnswer('apply update', a, { updated: ROWS });
      if ((await ds.getRepository(Cadre).count()) !== ROWS) throw new Error('ours: wrong number of cadres');
    } finally {
      await ds.destroy();
    }
    ds = await freshDatabase(engine, dir, run);
    try {
      const secretary = await seed(ds);
      let a!: ImportAnswer;
      record('naive apply create', await timeOnce(async () => (a = await applyRowByRow(ds, clock, await readSheet(files.xlsx), secretary))));
      expectAnswer('naive apply', a, { applied: true, created: ROWS });
      record('naive apply update 职务', await timeOnce(async () => (a = await applyRowByRow(ds, clock, await readSheet(files.changed), secretary))));
      expectAnswer('naive update', a, { updated: ROWS });
    } finally {
      await ds.destroy();
    }
    console.log(`  ${engine} run ${run}/${RUNS} done`);
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { medianMs: Math.round(median(v) * 10) / 10, samplesMs: v.map((x) => Math.round(x)) }]));
  return medians;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  console.log(`imports bench: ${ROWS} rows, ${RUNS} runs, ${os.cpus().length} cores, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const files = { xlsx: await workbook(rosterRows('')), changed: await workbook(rosterRows('（调整）')) };
  const dir = mkdtempSync(join(os.tmpdir(), 'leitai-bench-imports-'));
  const results: Record<string, Record<string, { medianMs: number; samplesMs: number[] }>> = {};
  try {
    for (const engine of ENGINES) results[engine] = await benchEngine(engine, files, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const names = ['parse', 'preview', 'apply create', 'naive apply create', 'apply again (unchanged)', 'apply update 职务', 'naive apply update 职务'];
  console.log(`\n${'step'.padEnd(28)}${ENGINES.map((e) => e.padStart(12)).join('')}   (median ms, ${ROWS} rows, file ${(files.xlsx.length / 1024).toFixed(0)} kB)`);
  for (const n of names) console.log(`${n.padEnd(28)}${ENGINES.map((e) => ms(results[e][n]?.medianMs, 0).padStart(12)).join('')}`);
  const out = {
    bench: 'imports',
    date: new Date().toISOString(),
    rows: ROWS,
    runs: RUNS,
    fileBytes: files.xlsx.length,
    method: 'fresh database per run (SQLite file with WAL; MariaDB from the migrations); each step from the file bytes (parse included); ours = RosterImportService, naive = bench/imports/naive.ts (row-by-row lookups, save per row, journal append per record), parse = readSheet alone',
    results,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadBefore, loadAfter: os.loadavg() },
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, `bench/results/imports-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ENTITIES } from '../src/app/entities';
import { createServices } from '../src/app/services';
import { User } from '../src/auth/user.entity';
import { ManualClock } from '../src/common/clock';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import { seedDemoWorld } from '../src/modules/demo/demo-seed';
import { ReportService } from '../src/modules/reports/reports.service';
import { Speech } from '../src/modules/sessions/speech.entity';
import { LocalPubSub } from '../src/pubsub/local-pubsub';

/**
 * The three PDF reports of the demo world's first session (the article's, run, published and sealed) on SQLite:
 * for each, the first render in a fresh process (which reads the two font files) and the median of five more,
 * split into reading the model (database and services) and drawing the PDF; and the file's size.
 * `npm run bench:reports`; writes bench/results/reports-<date>.json.
 */
async function main(): Promise<void> {
  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
  const tmp = mkdtempSync(join(tmpdir(), 'leitai-bench-reports-'));
  const ds = await createDataSource({ kind: 'sqlite', path: join(tmp, 'bench.sqlite') }, { entities: ENTITIES, synchronize: true }).initialize();
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  await seedDemoWorld(ds, clock, 'leitai-bench-password', 1);
  const services = createServices({ ds, config: { jwtSecret: 'bench-secret-bench-secret-bench-secret!' }, clock, pubsub: new LocalPubSub(), logger: createLogger('silent') });
  const reports = new ReportService({ ds, clock, evaluations: services.evaluations, dossiers: services.dossiers });
  const secretary = await services.tokens.verify(await services.tokens.signUser(await ds.getRepository(User).findOneByOrFail({ username: 'secretary' })));
  const speech = await ds.getRepository(Speech).findOneByOrFail({ sessionId: 1, order: 1 });

  const cases = {
    evaluation: () => reports.evaluation(secretary, '1'),
    minutes: () => reports.minutes(secretary, '1'),
    dossier: () => reports.dossier(secretary, String(speech.cadreId)),
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results: Record<string, unknown> = {};
  for (const [name, model] of Object.entries(cases)) {
    const samples: { modelMs: number; renderMs: number; bytes: number }[] = [];
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const doc = await model();
      const t1 = performance.now();
      const pdf = await reports.render(doc);
      samples.push({ modelMs: t1 - t0, renderMs: performance.now() - t1, bytes: pdf.length });
    }
    const [first, ...rest] = samples;
    results[name] = {
      bytes: first.bytes,
      firstMs: +(first.modelMs + first.renderMs).toFixed(1),
      medianMs: +median(rest.map((s) => s.modelMs + s.renderMs)).toFixed(1),
      medianModelMs: +median(rest.map((s) => s.modelMs)).toFixed(1),
      medianRenderMs: +median(rest.map((s) => s.renderMs)).toFixed(1),
    };
    console.log(name.padEnd(11), JSON.stringify(results[name]));
  }
  const dir = resolve(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `reports-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify({ runs, node: process.version, loadavg: loadavg(), results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
  await services.close();
  await ds.destroy();
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

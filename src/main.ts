import 'reflect-metadata';
import { createLogger } from './common/logger';
import { startServer } from './app/server';
import { systemClock } from './common/clock';
import { ConfigError, loadConfig } from './config/config';
import { ENTITIES } from './app/entities';
import { createDataSource } from './db/data-source';
import { armQueryTimeouts } from './db/query-timeouts';
import { withStartupLock } from './db/startup';
import { DEMO_ACCOUNTS, DEMO_CADRES } from './modules/demo/demo-world.data';
import { seedDemoWorld } from './modules/demo/demo-seed';
import { createFirstAdmin } from './auth/first-admin';

/** Composition root: config → data source → (demo world) → server. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`leitai: cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const ds = await createDataSource(config.database, { entities: ENTITIES }).initialize();
  await withStartupLock(ds, async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    if (config.seedDemo) {
      const summary = await seedDemoWorld(ds, systemClock, config.demoPassword, config.demoHistorySessions);
      if (summary.created > 0) logger.info({ created: summary.created }, 'demo world seeded');
    }
    if (config.adminPassword && (await createFirstAdmin(ds, config.adminPassword))) logger.info('first admin account "admin" created from ADMIN_PASSWORD');
  });
  armQueryTimeouts(ds);
  const server = await startServer({ config, ds, clock: systemClock, logger });
  const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.path}` : 'MySQL';
  if (config.seedDemo) printDemoAccounts(config.demoPassword, server.url);
  console.log(`Leitai is serving ${server.url} (and ws://localhost:${server.port}/graphql) on ${where}`);

  // Graceful: stop taking requests, drain them, close sockets with 1001 so clients resume elsewhere — within 10 s.
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.warn('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    await server.stop();
    await ds.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

function printDemoAccounts(password: string, url: string): void {
  const speakers = DEMO_CADRES.map((c) => `${c.username} (${c.name})`).join(', ');
  const voters = DEMO_ACCOUNTS.filter((a) => a.roles.includes('voter')).map((a) => a.username);
  const others = DEMO_ACCOUNTS.filter((a) => !a.roles.includes('voter')).map((a) => a.username);
  console.log(
    [
      `Demo accounts, all with the password "${password}" (DEMO_PASSWORD):`,
      `  ${others.join(', ')}`,
      `  ${voters[0]}…${voters[voters.length - 1]}`,
      `  speakers: ${speakers}`,
      `Sign in: curl -s ${url} -H 'content-type: application/json' \\`,
      `  -d '{"query":"mutation { login(username: \\"admin\\", password: \\"${password}\\") { token } }"}'`,
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error('leitai: failed to start', err);
  process.exit(1);
});

import { engines } from '../../helpers/engines';
import { createTestDataSource } from '../../helpers/engines';

/**
 * TypeORM on MariaDB proposes re-declaring unchanged nullable columns, foreign keys and one nullable unique index
 * on every diff (it reads DEFAULT NULL back as the string 'NULL'). Those are noise; anything else means an entity
 * changed without a migration.
 */
const NOISE = [
  /^ALTER TABLE `\w+` CHANGE `(\w+)` `\1` /,
  /^ALTER TABLE `\w+` DROP FOREIGN KEY `FK_\w+`$/,
  /^ALTER TABLE `\w+` ADD CONSTRAINT `FK_\w+` FOREIGN KEY /,
  /^DROP INDEX `uq_comments_author_client` ON `comments`$/,
  /^CREATE UNIQUE INDEX `uq_comments_author_client` ON `comments` /,
];

const describeMysql = engines().includes('mysql') ? describe : describe.skip;

describeMysql('migrations', () => {
  it('build exactly the schema the entities describe', async () => {
    const ds = await createTestDataSource('mysql');
    try {
      const pending = (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query.trim());
      // MariaDB also makes TypeORM drop and re-create, unchanged, every index with a nullable column: such a pair
      // names the same index twice and is noise too.
      const recreated = new Set(pending.flatMap((q) => /^DROP INDEX `(\w+)`/.exec(q)?.[1] ?? []).filter((name) => pending.some((q) => q.startsWith(`CREATE INDEX \`${name}\``) || q.startsWith(`CREATE UNIQUE INDEX \`${name}\``))));
      const meaningful = pending.filter((q) => !NOISE.some((n) => n.test(q)) && ![...recreated].some((name) => q.includes(`INDEX \`${name}\``)));
      expect(meaningful).toEqual([]);
    } finally {
      await ds.destroy();
    }
    // Building the schema from every migration and diffing it takes seconds alone and much longer on a loaded
    // machine; what is asserted is the diff, not the time.
  }, 180_000);
});

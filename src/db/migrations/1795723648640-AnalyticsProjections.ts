import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Projections for the analysts: each speech's unit, published results per speech, interruptions, the latest verdict
 * on claims and commitments, each audit's unit. (Results and interruptions of sessions evaluated before this
 * migration are not backfilled. Re-declarations of unchanged nullable columns that TypeORM proposes on MariaDB were
 * dropped.)
 */
export class AnalyticsProjections1795723648640 implements MigrationInterface {
    name = 'AnalyticsProjections1795723648640'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`speech_results\` (\`speech_id\` int NOT NULL, \`session_id\` int NOT NULL, \`cadre_id\` int NOT NULL, \`region_id\` int NULL, \`grade\` varchar(20) NOT NULL, \`place\` int NOT NULL, \`score\` double NOT NULL, \`excellent\` int NOT NULL, \`good\` int NOT NULL, \`average\` int NOT NULL, \`poor\` int NOT NULL, \`published\` tinyint NOT NULL DEFAULT 0, INDEX \`ix_speech_results_cadre\` (\`cadre_id\`, \`published\`), INDEX \`ix_speech_results_region\` (\`region_id\`, \`published\`), INDEX \`ix_speech_results_session\` (\`session_id\`), PRIMARY KEY (\`speech_id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`interruptions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`seq\` int NOT NULL, \`speech_id\` int NOT NULL, \`reason\` varchar(20) NOT NULL, \`cut_off\` tinyint NOT NULL, \`at\` datetime(3) NOT NULL, INDEX \`ix_interruptions_speech\` (\`speech_id\`), INDEX \`ix_interruptions_session\` (\`session_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`ALTER TABLE \`speeches\` ADD \`region_id\` int NULL`);
        await queryRunner.query(`ALTER TABLE \`audits\` ADD \`region_id\` int NULL`);
        await queryRunner.query(`ALTER TABLE \`claims\` ADD \`latest_verdict\` varchar(20) NULL`);
        await queryRunner.query(`ALTER TABLE \`claims\` ADD \`verdict_published_at\` datetime(3) NULL`);
        await queryRunner.query(`ALTER TABLE \`commitments\` ADD \`latest_verdict\` varchar(20) NULL`);
        await queryRunner.query(`ALTER TABLE \`commitments\` ADD \`verdict_published_at\` datetime(3) NULL`);
        await queryRunner.query(`CREATE INDEX \`IDX_8a41aa67a086987aa619859cb0\` ON \`speeches\` (\`region_id\`)`);
        await queryRunner.query(`CREATE INDEX \`IDX_4239f91197814e1285addf39c7\` ON \`audits\` (\`region_id\`)`);
        // Rows written before this migration: a speech and an audit belong to their cadre's unit.
        await queryRunner.query(`UPDATE \`speeches\` s JOIN \`cadres\` c ON c.id = s.cadre_id SET s.region_id = c.region_id WHERE s.region_id IS NULL`);
        await queryRunner.query(`UPDATE \`audits\` a JOIN \`cadres\` c ON c.id = a.cadre_id SET a.region_id = c.region_id WHERE a.region_id IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`IDX_4239f91197814e1285addf39c7\` ON \`audits\``);
        await queryRunner.query(`DROP INDEX \`IDX_8a41aa67a086987aa619859cb0\` ON \`speeches\``);
        await queryRunner.query(`ALTER TABLE \`commitments\` DROP COLUMN \`verdict_published_at\``);
        await queryRunner.query(`ALTER TABLE \`commitments\` DROP COLUMN \`latest_verdict\``);
        await queryRunner.query(`ALTER TABLE \`claims\` DROP COLUMN \`verdict_published_at\``);
        await queryRunner.query(`ALTER TABLE \`claims\` DROP COLUMN \`latest_verdict\``);
        await queryRunner.query(`ALTER TABLE \`audits\` DROP COLUMN \`region_id\``);
        await queryRunner.query(`ALTER TABLE \`speeches\` DROP COLUMN \`region_id\``);
        await queryRunner.query(`DROP INDEX \`ix_interruptions_session\` ON \`interruptions\``);
        await queryRunner.query(`DROP INDEX \`ix_interruptions_speech\` ON \`interruptions\``);
        await queryRunner.query(`DROP TABLE \`interruptions\``);
        await queryRunner.query(`DROP INDEX \`ix_speech_results_session\` ON \`speech_results\``);
        await queryRunner.query(`DROP INDEX \`ix_speech_results_region\` ON \`speech_results\``);
        await queryRunner.query(`DROP INDEX \`ix_speech_results_cadre\` ON \`speech_results\``);
        await queryRunner.query(`DROP TABLE \`speech_results\``);
    }

}

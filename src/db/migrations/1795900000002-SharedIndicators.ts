import { MigrationInterface, QueryRunner } from "typeorm";

/** Indicators shared across a theme, and the claim's link to one (null for a free-text indicator). */
export class SharedIndicators1795900000002 implements MigrationInterface {
    name = 'SharedIndicators1795900000002'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`indicators\` (\`id\` int NOT NULL AUTO_INCREMENT, \`theme_id\` int NOT NULL, \`name\` varchar(60) NOT NULL, \`unit\` varchar(20) NOT NULL, \`higher_is_better\` tinyint NOT NULL DEFAULT 1, UNIQUE INDEX \`uq_indicators_theme_name\` (\`theme_id\`, \`name\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`ALTER TABLE \`claims\` ADD \`indicator_id\` int NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`claims\` DROP COLUMN \`indicator_id\``);
        await queryRunner.query(`DROP TABLE \`indicators\``);
    }

}

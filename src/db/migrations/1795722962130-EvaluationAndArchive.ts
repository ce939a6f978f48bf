import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Democratic evaluation (evaluations, frozen voters, loose ballot grades), sealed archives, and the seal mark on
 * sessions. (Re-declarations of unchanged nullable columns that TypeORM proposes on MariaDB were dropped.)
 */
export class EvaluationAndArchive1795722962130 implements MigrationInterface {
    name = 'EvaluationAndArchive1795722962130'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`archives\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`sequence\` int NOT NULL, \`version\` int NOT NULL DEFAULT '1', \`sealed_at\` datetime(3) NOT NULL, \`sealed_by_id\` int NOT NULL, \`content_hash\` varchar(64) NOT NULL, \`previous_hash\` varchar(64) NULL, \`document\` json NOT NULL, INDEX \`IDX_a751722d55139401712154e137\` (\`session_id\`), UNIQUE INDEX \`uq_archives_session_version\` (\`session_id\`, \`version\`), UNIQUE INDEX \`uq_archives_sequence\` (\`sequence\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`evaluations\` (\`session_id\` int NOT NULL, \`status\` varchar(20) NOT NULL, \`entitled_voters\` int NOT NULL, \`ballots_cast\` int NOT NULL DEFAULT '0', \`opened_at\` datetime(3) NOT NULL, \`closed_at\` datetime(3) NULL, \`published_at\` datetime(3) NULL, \`results_json\` text NULL, PRIMARY KEY (\`session_id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`evaluation_voters\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`user_id\` int NOT NULL, \`voted\` tinyint NOT NULL DEFAULT 0, \`client_id\` varchar(64) NULL, UNIQUE INDEX \`uq_evaluation_voters_session_user\` (\`session_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`ballot_grades\` (\`id\` varchar(36) NOT NULL, \`session_id\` int NOT NULL, \`speech_id\` int NOT NULL, \`grade\` varchar(20) NOT NULL, INDEX \`ix_ballot_grades_session\` (\`session_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`ALTER TABLE \`sessions\` ADD \`sealed_at\` datetime(3) NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`sessions\` DROP COLUMN \`sealed_at\``);
        await queryRunner.query(`DROP TABLE \`ballot_grades\``);
        await queryRunner.query(`DROP TABLE \`evaluation_voters\``);
        await queryRunner.query(`DROP TABLE \`evaluations\``);
        await queryRunner.query(`DROP TABLE \`archives\``);
    }

}

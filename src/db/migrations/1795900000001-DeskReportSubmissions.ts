import { MigrationInterface, QueryRunner } from "typeorm";

/** Reports marked as sent to the city's party secretary (报送). */
export class DeskReportSubmissions1795900000001 implements MigrationInterface {
    name = 'DeskReportSubmissions1795900000001'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`report_submissions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(20) NOT NULL, \`subject_id\` int NOT NULL, \`sent_by_id\` int NOT NULL, \`sent_at\` datetime(3) NOT NULL, \`content_hash\` varchar(64) NULL, \`note\` varchar(500) NULL, INDEX \`idx_report_submissions_subject\` (\`kind\`, \`subject_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`report_submissions\``);
    }

}

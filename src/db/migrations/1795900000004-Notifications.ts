import { MigrationInterface, QueryRunner } from "typeorm";

/** Notices to people (站内通知), unique by dedupe key, and where each producer of them stands. */
export class Notifications1795900000004 implements MigrationInterface {
    name = 'Notifications1795900000004'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`notifications\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`kind\` varchar(30) NOT NULL, \`subject_type\` varchar(40) NOT NULL, \`subject_id\` int NOT NULL, \`text\` varchar(300) NOT NULL, \`dedupe_key\` varchar(120) NOT NULL, \`created_at\` datetime(3) NOT NULL, \`read_at\` datetime(3) NULL, INDEX \`ix_notifications_user_unread\` (\`user_id\`, \`read_at\`), INDEX \`ix_notifications_user\` (\`user_id\`, \`id\`), UNIQUE INDEX \`uq_notifications_dedupe\` (\`dedupe_key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`notification_cursors\` (\`name\` varchar(40) NOT NULL, \`seq\` int NOT NULL, \`ran_at\` datetime(3) NULL, PRIMARY KEY (\`name\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        // The notifier starts from the trail as it is now: the audits and findings of before are not announced anew.
        await queryRunner.query(`INSERT INTO \`notification_cursors\` (\`name\`, \`seq\`, \`ran_at\`) SELECT 'journal', COALESCE(MAX(\`seq\`), 0), NULL FROM \`journal_entries\``);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`notification_cursors\``);
        await queryRunner.query(`DROP TABLE \`notifications\``);
    }

}

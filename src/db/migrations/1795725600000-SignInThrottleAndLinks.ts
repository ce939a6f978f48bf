import { MigrationInterface, QueryRunner } from "typeorm";

/** Failed sign-in streaks per account and source (they must outlive Redis) and personal sign-in links (token hashes only). */
export class SignInThrottleAndLinks1795725600000 implements MigrationInterface {
    name = 'SignInThrottleAndLinks1795725600000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`sign_in_failures\` (\`account\` varchar(64) NOT NULL, \`source\` varchar(64) NOT NULL, \`failures\` int NOT NULL, \`last_failure_at\` datetime(3) NOT NULL, PRIMARY KEY (\`account\`, \`source\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`sign_in_links\` (\`id\` int NOT NULL AUTO_INCREMENT, \`token_hash\` varchar(64) NOT NULL, \`user_id\` int NOT NULL, \`session_id\` int NOT NULL, \`expires_at\` datetime(3) NOT NULL, \`revoked_at\` datetime(3) NULL, \`last_used_at\` datetime(3) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_sign_in_links_token\` (\`token_hash\`), INDEX \`ix_sign_in_links_session_user\` (\`session_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`sign_in_links\``);
        await queryRunner.query(`DROP TABLE \`sign_in_failures\``);
    }

}

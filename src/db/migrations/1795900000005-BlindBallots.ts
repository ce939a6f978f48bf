import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Blind-signed ballots (docs/blind-ballots.md): the sessions' signing keys, the spent tokens, the voter's token flag,
 * each evaluation's ballot mode (those before were SIMPLE), and whether a session's speakers vote.
 */
export class BlindBallots1795900000005 implements MigrationInterface {
    name = 'BlindBallots1795900000005'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`ballot_keys\` (\`session_id\` int NOT NULL, \`purpose\` varchar(40) NOT NULL, \`public_key_pem\` text NOT NULL, \`private_key_pem\` text NULL, PRIMARY KEY (\`session_id\`, \`purpose\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`spent_ballot_tokens\` (\`token_hash\` varchar(64) NOT NULL, \`session_id\` int NOT NULL, \`receipt\` varchar(16) NOT NULL, \`client_id\` varchar(64) NULL, INDEX \`ix_spent_ballot_tokens_session_receipt\` (\`session_id\`, \`receipt\`), PRIMARY KEY (\`token_hash\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`ALTER TABLE \`evaluations\` ADD \`ballot_mode\` varchar(10) NOT NULL DEFAULT 'SIMPLE'`);
        await queryRunner.query(`ALTER TABLE \`evaluation_voters\` ADD \`token_issued\` tinyint NOT NULL DEFAULT 0`);
        await queryRunner.query(`ALTER TABLE \`evaluation_voters\` ADD \`token_request\` varchar(64) NULL`);
        await queryRunner.query(`ALTER TABLE \`sessions\` ADD \`speakers_vote\` tinyint NOT NULL DEFAULT 1`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`sessions\` DROP COLUMN \`speakers_vote\``);
        await queryRunner.query(`ALTER TABLE \`evaluation_voters\` DROP COLUMN \`token_request\``);
        await queryRunner.query(`ALTER TABLE \`evaluation_voters\` DROP COLUMN \`token_issued\``);
        await queryRunner.query(`ALTER TABLE \`evaluations\` DROP COLUMN \`ballot_mode\``);
        await queryRunner.query(`DROP TABLE \`spent_ballot_tokens\``);
        await queryRunner.query(`DROP TABLE \`ballot_keys\``);
    }

}

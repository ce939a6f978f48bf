import { MigrationInterface, QueryRunner } from "typeorm";

/** Paper ballots (纸质票): the hand count of a session's evaluation, who entered and who confirmed it, and each speaker's counts. */
export class PaperBallots1795900000006 implements MigrationInterface {
    name = 'PaperBallots1795900000006'

    public async up(queryRunner: QueryRunner): Promise<void> {
        const charset = `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
        await queryRunner.query(`CREATE TABLE \`paper_tallies\` (\`session_id\` int NOT NULL, \`ballots\` int NOT NULL, \`entered_by_id\` int NOT NULL, \`entered_at\` datetime(3) NOT NULL, \`confirmed_by_id\` int NULL, \`confirmed_at\` datetime(3) NULL, PRIMARY KEY (\`session_id\`)) ${charset}`);
        await queryRunner.query(`CREATE TABLE \`paper_speech_counts\` (\`session_id\` int NOT NULL, \`speech_id\` int NOT NULL, \`excellent\` int NOT NULL, \`good\` int NOT NULL, \`average\` int NOT NULL, \`poor\` int NOT NULL, PRIMARY KEY (\`session_id\`, \`speech_id\`)) ${charset}`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`paper_speech_counts\``);
        await queryRunner.query(`DROP TABLE \`paper_tallies\``);
    }

}

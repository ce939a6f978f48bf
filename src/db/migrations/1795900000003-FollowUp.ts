import { MigrationInterface, QueryRunner } from "typeorm";

/** What follows the meeting: action items (督办事项), progress and its verification, responses to findings, decisions. */
export class FollowUp1795900000003 implements MigrationInterface {
    name = 'FollowUp1795900000003'

    public async up(queryRunner: QueryRunner): Promise<void> {
        const charset = `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
        await queryRunner.query(`CREATE TABLE \`action_items\` (\`id\` int NOT NULL AUTO_INCREMENT, \`review_id\` int NOT NULL, \`session_id\` int NOT NULL, \`cadre_id\` int NOT NULL, \`title\` varchar(200) NOT NULL, \`due_at\` datetime(3) NOT NULL, \`created_by_id\` int NOT NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`ix_action_items_review\` (\`review_id\`), INDEX \`ix_action_items_cadre\` (\`cadre_id\`, \`due_at\`), PRIMARY KEY (\`id\`)) ${charset}`);
        await queryRunner.query(`CREATE TABLE \`progress_reports\` (\`id\` int NOT NULL AUTO_INCREMENT, \`commitment_id\` int NULL, \`action_item_id\` int NULL, \`cadre_id\` int NOT NULL, \`reported_by_id\` int NOT NULL, \`note\` text NOT NULL, \`percent\` int NOT NULL, \`reported_at\` datetime(3) NOT NULL, INDEX \`ix_progress_action_item\` (\`action_item_id\`), INDEX \`ix_progress_commitment\` (\`commitment_id\`), PRIMARY KEY (\`id\`)) ${charset}`);
        await queryRunner.query(`CREATE TABLE \`progress_evidence\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(40) NOT NULL, \`description\` varchar(1000) NOT NULL, \`sha256\` varchar(64) NOT NULL, \`captured_at\` datetime(3) NOT NULL, \`location\` varchar(200) NOT NULL, \`progress_id\` int NOT NULL, INDEX \`ix_progress_evidence_report\` (\`progress_id\`), PRIMARY KEY (\`id\`)) ${charset}`);
        await queryRunner.query(`CREATE TABLE \`progress_verifications\` (\`progress_id\` int NOT NULL, \`accepted\` tinyint NOT NULL, \`note\` varchar(1000) NULL, \`verified_by_id\` int NOT NULL, \`verified_at\` datetime(3) NOT NULL, PRIMARY KEY (\`progress_id\`)) ${charset}`);
        await queryRunner.query(`CREATE TABLE \`finding_responses\` (\`id\` int NOT NULL AUTO_INCREMENT, \`finding_id\` int NOT NULL, \`cadre_id\` int NOT NULL, \`author_id\` int NOT NULL, \`body\` text NOT NULL, \`responded_at\` datetime(3) NOT NULL, UNIQUE INDEX \`uq_finding_responses_finding\` (\`finding_id\`), PRIMARY KEY (\`id\`)) ${charset}`);
        await queryRunner.query(`CREATE TABLE \`decisions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`cadre_id\` int NOT NULL, \`kind\` varchar(20) NOT NULL, \`reason\` text NOT NULL, \`finding_id\` int NULL, \`session_id\` int NULL, \`decided_by_id\` int NOT NULL, \`decided_at\` datetime(3) NOT NULL, INDEX \`ix_decisions_cadre\` (\`cadre_id\`), PRIMARY KEY (\`id\`)) ${charset}`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        for (const table of ['decisions', 'finding_responses', 'progress_verifications', 'progress_evidence', 'progress_reports', 'action_items']) {
            await queryRunner.query(`DROP TABLE \`${table}\``);
        }
    }

}

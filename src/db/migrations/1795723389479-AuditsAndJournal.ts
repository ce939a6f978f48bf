import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Briefings (versioned claims and commitments), audits with findings and evidence, and the hash-chained audit trail.
 * (Re-declarations of unchanged nullable columns that TypeORM proposes on MariaDB were dropped.)
 */
export class AuditsAndJournal1795723389479 implements MigrationInterface {
    name = 'AuditsAndJournal1795723389479'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`audits\` (\`id\` int NOT NULL AUTO_INCREMENT, \`claim_id\` int NULL, \`commitment_id\` int NULL, \`cadre_id\` int NOT NULL, \`session_id\` int NOT NULL, \`method\` varchar(30) NOT NULL, \`auditor_id\` int NOT NULL, \`due_at\` datetime(3) NOT NULL, \`status\` varchar(20) NOT NULL, \`assigned_by_id\` int NOT NULL, \`assigned_at\` datetime(3) NOT NULL, \`withdraw_reason\` varchar(500) NULL, INDEX \`ix_audits_auditor\` (\`auditor_id\`), INDEX \`ix_audits_cadre\` (\`cadre_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`findings\` (\`id\` int NOT NULL AUTO_INCREMENT, \`audit_id\` int NOT NULL, \`cadre_id\` int NOT NULL, \`verdict\` varchar(20) NOT NULL, \`summary\` text NOT NULL, \`submitted_by_id\` int NOT NULL, \`submitted_at\` datetime(3) NOT NULL, \`published_at\` datetime(3) NULL, \`published_by_id\` int NULL, \`supersedes_id\` int NULL, \`correction_reason\` varchar(1000) NULL, \`superseded_at\` datetime(3) NULL, INDEX \`ix_findings_cadre\` (\`cadre_id\`), INDEX \`ix_findings_audit\` (\`audit_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`evidence\` (\`id\` int NOT NULL AUTO_INCREMENT, \`finding_id\` int NOT NULL, \`kind\` varchar(40) NOT NULL, \`description\` varchar(1000) NOT NULL, \`sha256\` varchar(64) NOT NULL, \`captured_at\` datetime(3) NOT NULL, \`location\` varchar(200) NOT NULL, INDEX \`ix_evidence_finding\` (\`finding_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`claims\` (\`version\` int NOT NULL DEFAULT '1', \`supersedes_id\` int NULL, \`superseded_at\` datetime(3) NULL, \`revision_reason\` varchar(500) NULL, \`recorded_by_id\` int NOT NULL, \`recorded_at\` datetime(3) NOT NULL, \`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`speech_id\` int NOT NULL, \`cadre_id\` int NOT NULL, \`indicator\` varchar(200) NOT NULL, \`value\` double NOT NULL, \`unit\` varchar(40) NOT NULL, \`as_of\` datetime(3) NOT NULL, \`note\` varchar(500) NULL, INDEX \`ix_claims_cadre\` (\`cadre_id\`), INDEX \`ix_claims_speech\` (\`speech_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`commitments\` (\`version\` int NOT NULL DEFAULT '1', \`supersedes_id\` int NULL, \`superseded_at\` datetime(3) NULL, \`revision_reason\` varchar(500) NULL, \`recorded_by_id\` int NOT NULL, \`recorded_at\` datetime(3) NOT NULL, \`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`speech_id\` int NOT NULL, \`cadre_id\` int NOT NULL, \`title\` varchar(200) NOT NULL, \`target\` varchar(500) NOT NULL, \`due_at\` datetime(3) NOT NULL, INDEX \`ix_commitments_cadre\` (\`cadre_id\`), INDEX \`ix_commitments_speech\` (\`speech_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`journal_entries\` (\`id\` int NOT NULL AUTO_INCREMENT, \`seq\` int NOT NULL, \`at\` datetime(3) NOT NULL, \`actor_id\` int NULL, \`action\` varchar(60) NOT NULL, \`entity\` varchar(40) NOT NULL, \`entity_id\` varchar(40) NOT NULL, \`before_digest\` varchar(64) NULL, \`after_digest\` varchar(64) NULL, \`previous_hash\` varchar(64) NULL, \`hash\` varchar(64) NOT NULL, UNIQUE INDEX \`uq_journal_seq\` (\`seq\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`journal_head\` (\`id\` int NOT NULL, \`seq\` int NOT NULL, \`hash\` varchar(64) NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`journal_head\``);
        await queryRunner.query(`DROP TABLE \`journal_entries\``);
        await queryRunner.query(`DROP TABLE \`commitments\``);
        await queryRunner.query(`DROP TABLE \`claims\``);
        await queryRunner.query(`DROP TABLE \`evidence\``);
        await queryRunner.query(`DROP TABLE \`findings\``);
        await queryRunner.query(`DROP TABLE \`audits\``);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The live room: its event log, attendees' comments and leaders' commentary. (The generator also proposed
 * re-declaring unchanged nullable columns, a MariaDB quirk of TypeORM's diff; those statements were dropped.)
 */
export class LiveRoom1795722571928 implements MigrationInterface {
    name = 'LiveRoom1795722571928'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`comments\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`speech_id\` int NULL, \`author_id\` int NOT NULL, \`author_name\` varchar(100) NOT NULL, \`body\` varchar(500) NOT NULL, \`status\` varchar(20) NOT NULL, \`client_id\` varchar(64) NULL, \`posted_at\` datetime(3) NOT NULL, \`moderated_at\` datetime(3) NULL, \`moderated_by_id\` int NULL, INDEX \`ix_comments_session_status\` (\`session_id\`, \`status\`), UNIQUE INDEX \`uq_comments_author_client\` (\`author_id\`, \`client_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`reviews\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`speech_id\` int NOT NULL, \`author_id\` int NOT NULL, \`author_name\` varchar(100) NOT NULL, \`tone\` varchar(20) NOT NULL, \`body\` text NOT NULL, \`at\` datetime(3) NOT NULL, INDEX \`ix_reviews_speech\` (\`speech_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`room_events\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`seq\` int NOT NULL, \`type\` varchar(40) NOT NULL, \`payload\` text NOT NULL, \`actor_id\` int NULL, \`at\` datetime(3) NOT NULL, INDEX \`IDX_564fe3ba9dcd875e95209391da\` (\`type\`), UNIQUE INDEX \`uq_room_events_session_seq\` (\`session_id\`, \`seq\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE \`room_events\``);
        await queryRunner.query(`DROP TABLE \`reviews\``);
        await queryRunner.query(`DROP TABLE \`comments\``);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795721706386 implements MigrationInterface {
    name = 'Initial1795721706386'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`users\` (\`id\` int NOT NULL AUTO_INCREMENT, \`username\` varchar(64) NOT NULL, \`display_name\` varchar(100) NOT NULL, \`password_hash\` varchar(255) NOT NULL, \`roles\` text NOT NULL, \`region_id\` int NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`IDX_fe0bb3f6520ee0469504521e71\` (\`username\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`regions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`code\` varchar(40) NOT NULL, \`name\` varchar(60) NOT NULL, \`name_en\` varchar(100) NOT NULL, UNIQUE INDEX \`IDX_4f6dc5a464961e7c65a395ea4c\` (\`code\`), UNIQUE INDEX \`IDX_1eb9a8899a7db89f6ba473fd84\` (\`name\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`cadres\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(50) NOT NULL, \`position\` varchar(120) NOT NULL, \`region_id\` int NOT NULL, \`user_id\` int NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_ee8fefd1e47f36fe561d2f4725\` (\`region_id\`), UNIQUE INDEX \`REL_0d2cdc50ee8c05d3c1f2af2393\` (\`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`theme_calls\` (\`id\` int NOT NULL AUTO_INCREMENT, \`title\` varchar(200) NOT NULL, \`description\` text NOT NULL, \`closes_at\` datetime(3) NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`themes\` (\`id\` int NOT NULL AUTO_INCREMENT, \`title\` varchar(200) NOT NULL, \`description\` text NOT NULL, \`rationale\` text NOT NULL, \`status\` varchar(20) NOT NULL, \`proposed_by_id\` int NOT NULL, \`call_id\` int NULL, \`decided_at\` datetime(3) NULL, \`decision_note\` varchar(500) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_268842a44683f1a1d28bea2866\` (\`status\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`sessions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`number\` int NOT NULL, \`title\` varchar(200) NOT NULL, \`theme_id\` int NOT NULL, \`starts_at\` datetime(3) NOT NULL, \`venue\` varchar(200) NOT NULL, \`phase\` varchar(20) NOT NULL DEFAULT 'SCHEDULED', \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`IDX_4941d3a697273b8e9e1be13c41\` (\`number\`), INDEX \`IDX_4f20fc18ce811b0fc898455c8f\` (\`theme_id\`), INDEX \`IDX_aec998210d47b765d7e99d3f7a\` (\`starts_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`attendees\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`user_id\` int NOT NULL, \`registered_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_73eca24cd2c4907c8f1b23600d\` (\`user_id\`), UNIQUE INDEX \`uq_attendees_session_user\` (\`session_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`CREATE TABLE \`speeches\` (\`id\` int NOT NULL AUTO_INCREMENT, \`session_id\` int NOT NULL, \`speaking_order\` int NOT NULL, \`cadre_id\` int NOT NULL, \`allotted_seconds\` int NOT NULL, \`status\` varchar(20) NOT NULL DEFAULT 'UPCOMING', \`started_at\` datetime(3) NULL, \`ended_at\` datetime(3) NULL, \`spoken_ms\` int NULL, \`overtime_ms\` int NULL, INDEX \`IDX_d8294cd1b00d975d4900a26b84\` (\`cadre_id\`), UNIQUE INDEX \`uq_speeches_session_cadre\` (\`session_id\`, \`cadre_id\`), UNIQUE INDEX \`uq_speeches_session_order\` (\`session_id\`, \`speaking_order\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
        await queryRunner.query(`ALTER TABLE \`cadres\` ADD CONSTRAINT \`FK_ee8fefd1e47f36fe561d2f4725e\` FOREIGN KEY (\`region_id\`) REFERENCES \`regions\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`cadres\` ADD CONSTRAINT \`FK_0d2cdc50ee8c05d3c1f2af23938\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`themes\` ADD CONSTRAINT \`FK_7dbc1df4cb294d73c2416cbac7c\` FOREIGN KEY (\`proposed_by_id\`) REFERENCES \`users\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`themes\` ADD CONSTRAINT \`FK_b0ca5f038f6fb5158a68f02e477\` FOREIGN KEY (\`call_id\`) REFERENCES \`theme_calls\`(\`id\`) ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`sessions\` ADD CONSTRAINT \`FK_4f20fc18ce811b0fc898455c8fb\` FOREIGN KEY (\`theme_id\`) REFERENCES \`themes\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`attendees\` ADD CONSTRAINT \`FK_25c2fe2a471d7b35c8be38d0ad1\` FOREIGN KEY (\`session_id\`) REFERENCES \`sessions\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`attendees\` ADD CONSTRAINT \`FK_73eca24cd2c4907c8f1b23600d5\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`speeches\` ADD CONSTRAINT \`FK_f9a3af632351f209d2fb59b4c5f\` FOREIGN KEY (\`session_id\`) REFERENCES \`sessions\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE \`speeches\` ADD CONSTRAINT \`FK_d8294cd1b00d975d4900a26b844\` FOREIGN KEY (\`cadre_id\`) REFERENCES \`cadres\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`speeches\` DROP FOREIGN KEY \`FK_d8294cd1b00d975d4900a26b844\``);
        await queryRunner.query(`ALTER TABLE \`speeches\` DROP FOREIGN KEY \`FK_f9a3af632351f209d2fb59b4c5f\``);
        await queryRunner.query(`ALTER TABLE \`attendees\` DROP FOREIGN KEY \`FK_73eca24cd2c4907c8f1b23600d5\``);
        await queryRunner.query(`ALTER TABLE \`attendees\` DROP FOREIGN KEY \`FK_25c2fe2a471d7b35c8be38d0ad1\``);
        await queryRunner.query(`ALTER TABLE \`sessions\` DROP FOREIGN KEY \`FK_4f20fc18ce811b0fc898455c8fb\``);
        await queryRunner.query(`ALTER TABLE \`themes\` DROP FOREIGN KEY \`FK_b0ca5f038f6fb5158a68f02e477\``);
        await queryRunner.query(`ALTER TABLE \`themes\` DROP FOREIGN KEY \`FK_7dbc1df4cb294d73c2416cbac7c\``);
        await queryRunner.query(`ALTER TABLE \`cadres\` DROP FOREIGN KEY \`FK_0d2cdc50ee8c05d3c1f2af23938\``);
        await queryRunner.query(`ALTER TABLE \`cadres\` DROP FOREIGN KEY \`FK_ee8fefd1e47f36fe561d2f4725e\``);
        await queryRunner.query(`DROP INDEX \`uq_speeches_session_order\` ON \`speeches\``);
        await queryRunner.query(`DROP INDEX \`uq_speeches_session_cadre\` ON \`speeches\``);
        await queryRunner.query(`DROP INDEX \`IDX_d8294cd1b00d975d4900a26b84\` ON \`speeches\``);
        await queryRunner.query(`DROP TABLE \`speeches\``);
        await queryRunner.query(`DROP INDEX \`uq_attendees_session_user\` ON \`attendees\``);
        await queryRunner.query(`DROP INDEX \`IDX_73eca24cd2c4907c8f1b23600d\` ON \`attendees\``);
        await queryRunner.query(`DROP TABLE \`attendees\``);
        await queryRunner.query(`DROP INDEX \`IDX_aec998210d47b765d7e99d3f7a\` ON \`sessions\``);
        await queryRunner.query(`DROP INDEX \`IDX_4f20fc18ce811b0fc898455c8f\` ON \`sessions\``);
        await queryRunner.query(`DROP INDEX \`IDX_4941d3a697273b8e9e1be13c41\` ON \`sessions\``);
        await queryRunner.query(`DROP TABLE \`sessions\``);
        await queryRunner.query(`DROP INDEX \`IDX_268842a44683f1a1d28bea2866\` ON \`themes\``);
        await queryRunner.query(`DROP TABLE \`themes\``);
        await queryRunner.query(`DROP TABLE \`theme_calls\``);
        await queryRunner.query(`DROP INDEX \`REL_0d2cdc50ee8c05d3c1f2af2393\` ON \`cadres\``);
        await queryRunner.query(`DROP INDEX \`IDX_ee8fefd1e47f36fe561d2f4725\` ON \`cadres\``);
        await queryRunner.query(`DROP TABLE \`cadres\``);
        await queryRunner.query(`DROP INDEX \`IDX_1eb9a8899a7db89f6ba473fd84\` ON \`regions\``);
        await queryRunner.query(`DROP INDEX \`IDX_4f6dc5a464961e7c65a395ea4c\` ON \`regions\``);
        await queryRunner.query(`DROP TABLE \`regions\``);
        await queryRunner.query(`DROP INDEX \`IDX_fe0bb3f6520ee0469504521e71\` ON \`users\``);
        await queryRunner.query(`DROP TABLE \`users\``);
    }

}

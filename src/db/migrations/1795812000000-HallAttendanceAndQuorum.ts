import { MigrationInterface, QueryRunner } from "typeorm";

/** Check-in (attendees.checked_in_at), withdrawn speeches and their reason, the evaluation's quorum and a forced close's reason. */
export class HallAttendanceAndQuorum1795812000000 implements MigrationInterface {
    name = 'HallAttendanceAndQuorum1795812000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`attendees\` ADD \`checked_in_at\` datetime(3) NULL`);
        await queryRunner.query(`ALTER TABLE \`speeches\` ADD \`withdrawn_reason\` varchar(500) NULL`);
        await queryRunner.query(`ALTER TABLE \`evaluations\` ADD \`quorum\` int NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE \`evaluations\` ADD \`close_reason\` varchar(500) NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`evaluations\` DROP COLUMN \`close_reason\``);
        await queryRunner.query(`ALTER TABLE \`evaluations\` DROP COLUMN \`quorum\``);
        await queryRunner.query(`ALTER TABLE \`speeches\` DROP COLUMN \`withdrawn_reason\``);
        await queryRunner.query(`ALTER TABLE \`attendees\` DROP COLUMN \`checked_in_at\``);
    }

}

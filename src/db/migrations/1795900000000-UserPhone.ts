import { MigrationInterface, QueryRunner } from "typeorm";

/** A user's mobile number (users.phone), filled by the roster import; nullable, as no account had one before. */
export class UserPhone1795900000000 implements MigrationInterface {
    name = 'UserPhone1795900000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`users\` ADD \`phone\` varchar(20) NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`users\` DROP COLUMN \`phone\``);
    }

}

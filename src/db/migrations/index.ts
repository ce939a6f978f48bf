/** Migrations in the order they apply. Listed explicitly so compiled code and tests load the same set. */
export const MIGRATIONS: Function[] = [];

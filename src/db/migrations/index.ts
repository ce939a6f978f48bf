import { Initial1795721706386 } from './1795721706386-Initial';

/** Migrations in the order they apply. Listed explicitly so compiled code and tests load the same set. */
export const MIGRATIONS: Function[] = [Initial1795721706386];

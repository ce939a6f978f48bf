import 'reflect-metadata';
import { loadConfig } from './src/config/config';
import { ENTITIES } from './src/app/entities';
import { createDataSource } from './src/db/data-source';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:generate -- src/db/migrations/Name`), configured from
 * DATABASE_URL like the server. Migrations are generated against MySQL/MariaDB.
 */
export default createDataSource(loadConfig().database, { entities: ENTITIES, synchronize: false });

// Factories that open connections. Kept apart from the main entry point so that importing
// types, schemas and domain logic never connects to anything.
export { createDatabase, type Sql, type Queryable, type DatabaseOptions } from './db/client.js';
export { createRedis, type RedisRole } from './redis/connections.js';

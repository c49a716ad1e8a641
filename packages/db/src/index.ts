export { createDb, type Db } from './client.js';
export { applyMigrations, splitStatements, MIGRATIONS_DIR } from './migrate.js';
export { newId } from './ids.js';
export { Prisma } from './generated/client.js';
export type * from './generated/models.js';
export { WriteGeneration } from './write-generation.js';

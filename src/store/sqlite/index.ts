export * from './open.js';
export * from './migrate.js';
export * from './sqlite-store.js';
export * from './cache-index.js';

export * from './open.js';
export * from './migrate.js';
export * from './sqlite-store.js';

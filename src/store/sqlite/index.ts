export * from './open.js';
export * from './migrate.js';

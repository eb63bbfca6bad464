import { describePostgres } from '../../testing/vitest/index.js';
import { cacheIndexContract } from '../cache-index.contract.js';
import { createPostgresCacheIndex } from './cache-index.js';

describePostgres('postgres cache index', (postgres) => {
  cacheIndexContract('postgres', (cache) =>
    createPostgresCacheIndex({ pool: postgres().pool, schema: postgres().schema, cache }),
  );
});

/**
 * Why: a request's path parameters, query and body are checked with zod before anything touches
 * the store, and the first problem becomes the same InvalidConfigError the rest of Sluice throws
 * (`limit must be an integer in [1, 1000], got "0"`), which errors.ts answers as a 400 naming the
 * field. Every request schema (request-schemas.ts) carries its own expectation as the issue
 * message, written for a person; an unknown parameter or body key is named as the field, with
 * the ones that exist.
 */
import type { z } from 'zod';
import { InvalidConfigError } from '../errors/index.js';
import { formatPath } from '../runtime/index.js';

/** Where the input came from: query parameters and body keys are named bare (`limit`, `ids[1]`). */
export type InputPart = 'params' | 'query' | 'body';

export function parseInput<S extends z.ZodObject>(
  schema: S,
  value: unknown,
  part: InputPart,
): z.output<S> {
  // A POST without a body (no Content-Type) arrives as undefined: the same as an empty object.
  const input = part === 'body' && value === undefined ? {} : value;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const field = formatPath('', [...issue.path, key]);
    const known = Object.keys(schema.shape);
    const expected =
      known.length === 0
        ? `absent (this route takes no ${partName[part]})`
        : `absent (known ${partName[part]}: ${known.join(', ')})`;
    throw new InvalidConfigError(field, expected, valueAt(input, [...issue.path, key]));
  }
  const field = issue.path.length === 0 ? part : formatPath('', issue.path);
  throw new InvalidConfigError(field, issue.message, valueAt(input, issue.path));
}

const partName: Record<InputPart, string> = {
  params: 'path parameters',
  query: 'query parameters',
  body: 'body fields',
};

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

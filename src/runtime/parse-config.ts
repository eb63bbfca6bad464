import type { z } from 'zod';
import { InvalidConfigError } from '../errors/index.js';

/**
 * Validates a value with a zod schema and turns the first problem into an InvalidConfigError
 * whose field is the full path (`pipeline.stages[1].concurrency`), whose expectation is written
 * for a person (`an integer >= 1`), and which carries the offending value.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = formatPath(root, issue.path);
  throw new InvalidConfigError(field, expectation(issue), valueAt(value, issue.path));
}

export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'an integer' : article(issue.expected);
    case 'too_small': {
      const op = issue.inclusive ? '>=' : '>';
      const what =
        issue.origin === 'string'
          ? 'a string of length'
          : issue.origin === 'array'
            ? 'a list of length'
            : 'a number';
      return `${what} ${op} ${String(issue.minimum)}`;
    }
    case 'too_big': {
      const op = issue.inclusive ? '<=' : '<';
      const what =
        issue.origin === 'string'
          ? 'a string of length'
          : issue.origin === 'array'
            ? 'a list of length'
            : 'a number';
      return `${what} ${op} ${String(issue.maximum)}`;
    }
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `free of unknown keys (${issue.keys.join(', ')})`;
    case 'invalid_format':
      return `a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

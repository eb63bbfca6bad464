/**
 * Why: what each route accepts, in one place, as zod schemas whose issue messages are the
 * expectation a client reads (`one of "running", "completed", ...`). Query values arrive as
 * strings, so numbers and lists are parsed from text here; unknown keys are refused (strict
 * objects) rather than ignored, so a misspelt filter is an error instead of an unfiltered answer.
 */
import { z } from 'zod';
import { failureCategories } from '../errors/index.js';
import { itemStates, runStatuses, type ItemState } from '../store/index.js';

/** As the store's IDs: non-empty, bounded (src/store/validate.ts maxIdLength). */
const maxIdLength = 4096;
/** As the store's pages (src/store/validate.ts maxPageSize). */
export const maxPageLimit = 1000;

const idExpectation = `a non-empty string of at most ${maxIdLength} characters`;
const id = z.string({ error: idExpectation }).min(1, idExpectation).max(maxIdLength, idExpectation);

const oneOf = (values: readonly string[]) => `one of ${values.map((v) => `"${v}"`).join(', ')}`;

const limitExpectation = `an integer in [1, ${maxPageLimit}]`;
const limit = z
  .string({ error: limitExpectation })
  .regex(/^[0-9]{1,7}$/, limitExpectation)
  .transform(Number)
  .refine((n) => n >= 1 && n <= maxPageLimit, limitExpectation);

const cursorExpectation = 'the `next` cursor of a previous page';
const cursor = z.string({ error: cursorExpectation }).min(1, cursorExpectation);

const page = { limit: limit.optional(), cursor: cursor.optional() };

const statesExpectation = `${oneOf(itemStates)}, or several of them separated by commas`;
const itemStateList = z.string({ error: statesExpectation }).transform((s, ctx) => {
  const states = s.split(',');
  if (states.every((state) => (itemStates as readonly string[]).includes(state))) {
    return states as ItemState[];
  }
  ctx.addIssue({ code: 'custom', message: statesExpectation, input: s });
  return z.NEVER;
});

const flagExpectation = '"true" or "false"';
const flag = z.enum(['true', 'false'], flagExpectation).transform((s) => s === 'true');

const enumOf = <T extends string>(values: readonly T[]) =>
  z.enum(values as [T, ...T[]], oneOf(values));

const category = enumOf(failureCategories);

export const runParams = z.strictObject({ runId: id });
export const itemParams = z.strictObject({ runId: id, stage: id, itemId: id });
export const serviceParams = z.strictObject({ service: id });

export const runsQuery = z.strictObject({
  pipeline: id.optional(),
  status: enumOf(runStatuses).optional(),
  ...page,
});

export const itemsQuery = z.strictObject({
  stage: id.optional(),
  state: itemStateList.optional(),
  ...page,
});

export const deadLettersQuery = z.strictObject({
  stage: id.optional(),
  category: category.optional(),
  includeRetried: flag.optional(),
  ...page,
});

export const breakersQuery = z.strictObject({ key: z.string({ error: 'a string' }).optional() });

export const noQuery = z.strictObject({});

const objectExpectation = 'a JSON object';
const idsExpectation = `a list of 1 to ${maxPageLimit} item IDs`;

export const retryDeadLettersBody = z.strictObject(
  {
    stage: id.optional(),
    category: category.optional(),
    ids: z
      .array(id, idsExpectation)
      .min(1, idsExpectation)
      .max(maxPageLimit, idsExpectation)
      .optional(),
  },
  objectExpectation,
);

export const retryFailedBody = z.strictObject({ stage: id.optional() }, objectExpectation);

export const cancelBody = z.strictObject({}, objectExpectation);

export const noBody = cancelBody;

export const breakerResetBody = z.strictObject(
  {
    key: z
      .string({ error: 'a string (the breaker key: a host, or "" for the service-wide one)' })
      .optional(),
  },
  objectExpectation,
);

export const failedItemsQuery = z.strictObject({
  stage: id.optional(),
  category: category.optional(),
  ...page,
});

const sinceExpectation = 'milliseconds since the epoch, a whole number';
const since = z
  .string({ error: sinceExpectation })
  .regex(/^[0-9]{1,15}$/, sinceExpectation)
  .transform(Number);

export const serviceHealthQuery = z.strictObject({ since: since.optional() });

export const queueParams = z.strictObject({ name: id });

export const queueRetryBody = z.strictObject(
  { type: id.optional(), category: category.optional() },
  objectExpectation,
);

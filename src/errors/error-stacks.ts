import { InvalidConfigError } from './invalid-config-error.js';

/**
 * Whether the errors a policy refuses a call with on its hot path (BreakerOpenError from an open
 * breaker, BulkheadFullError, RateLimitedError from a limiter that will not wait) capture a stack.
 *
 * Why not by default: building an Error costs 3.5 to 5 us in Node 20 on our 2-vCPU VM, nearly all
 * of it V8 capturing the stack (`Error.stackTraceLimit = 0` still leaves ~450 ns of Error
 * construction), while the policy's decision costs tens of nanoseconds. In an outage every call
 * of every worker takes this path, so its cost decides how fast a pipeline sheds the work it
 * cannot do; and the frames of a fast fail only say where the caller was, which the caller knows.
 * So by default these rejections are made without running the Error constructor (see
 * `stacklessInstance` in sluice-error.ts): the same class, `instanceof`, marker guard, `code`,
 * fields and message, with `stack` reading `Name: message` and no frames (as V8 prints an error
 * made with `Error.stackTraceLimit = 0`). bench/RESULTS.md has the alternatives and their costs.
 *
 * To get full stacks back (debugging where rejections come from): `SLUICE_ERROR_STACKS=1` in the
 * environment, or `setErrorStacks(true)`. Errors you construct yourself with `new` always have one.
 */

let enabled = parseErrorStacksSetting(
  typeof process === 'undefined' ? undefined : process.env.SLUICE_ERROR_STACKS,
);

/** Turns stack capture for hot-path rejections on or off for the whole process. */
export function setErrorStacks(on: boolean): void {
  if (typeof on !== 'boolean') throw new InvalidConfigError('setErrorStacks(on)', 'a boolean', on);
  enabled = on;
}

/** Whether hot-path rejections capture a stack now. */
export function errorStacksEnabled(): boolean {
  return enabled;
}

/** Reads SLUICE_ERROR_STACKS: unset, '', '0' or 'false' is off; '1' or 'true' is on. */
export function parseErrorStacksSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new InvalidConfigError('SLUICE_ERROR_STACKS', "'1', 'true', '0', 'false' or unset", value);
}

import { InvalidConfigError } from '../errors/index.js';

/**
 * Refuses option keys a policy does not know, so a misspelt option (`failureThreshold`) fails at
 * construction, naming itself, instead of being silently ignored.
 */
export function knownKeys(value: unknown, field: string, keys: readonly string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError(field, 'an object', value);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw new InvalidConfigError(
        `${field}.${key}`,
        `absent (not an option; known: ${keys.join(', ')})`,
        (value as Record<string, unknown>)[key],
      );
    }
  }
}

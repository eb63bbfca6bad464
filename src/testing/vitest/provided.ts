import type { ServiceName, ServiceStatus } from '../services.js';

/** What the global setup found, handed to every test file through vitest's provide/inject. */
export interface ProvidedServices {
  readonly postgres: ServiceStatus;
  readonly redis: ServiceStatus;
}

export const providedKey = 'sluiceServices';

declare module 'vitest' {
  export interface ProvidedContext {
    sluiceServices: ProvidedServices;
  }
}

/** Suite names start with `<backend>: ` so the reporter can count what a missing service skipped. */
export const suitePrefix = (backend: ServiceName | 'sqlite'): string => `${backend}: `;

import type { Reporter, TestModule } from 'vitest/node';
import { serviceDefaults, serviceUrl, type ServiceName } from '../services.js';
import { suitePrefix } from './provided.js';

/**
 * Prints one line per service whose suites were skipped because it was down, e.g.
 * `postgres not reachable at postgres://...: 12 tests skipped`, so a green run cannot hide
 * that the real backends were never exercised.
 */
export default class SkippedServicesReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    for (const service of Object.keys(serviceDefaults) as ServiceName[]) {
      let skipped = 0;
      for (const module of testModules) {
        for (const test of module.children.allTests('skipped')) {
          if (underServiceSuite(test.parent, service)) skipped += 1;
        }
      }
      if (skipped > 0) {
        process.stdout.write(
          `${service} not reachable at ${serviceUrl(service)}: ${skipped} tests skipped\n`,
        );
      }
    }
  }
}

interface Parent {
  readonly type: string;
  readonly name?: string;
  readonly parent?: Parent;
}

function underServiceSuite(node: Parent, service: ServiceName): boolean {
  for (let current: Parent | undefined = node; current; current = current.parent) {
    if (current.type === 'suite' && current.name?.startsWith(suitePrefix(service))) return true;
  }
  return false;
}

/**
 * What a pipeline declares about one external service: the policies every call to it runs
 * under. Filled in by the policies it composes (see compose in src/policies).
 */
export interface ServiceDefinition {
  readonly [option: string]: unknown;
}

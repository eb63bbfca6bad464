/** The part of opossum 9's API the benchmark uses (opossum ships no types; its module.exports is the class). */
declare module 'opossum' {
  export interface Options {
    timeout?: number | false;
    errorThresholdPercentage?: number;
    volumeThreshold?: number;
    resetTimeout?: number;
    rollingCountTimeout?: number;
    rollingCountBuckets?: number;
    rollingPercentilesEnabled?: boolean;
    capacity?: number;
  }
  export default class CircuitBreaker<R = unknown> {
    constructor(action: (...args: unknown[]) => Promise<R>, options?: Options);
    readonly opened: boolean;
    fire(...args: unknown[]): Promise<R>;
    shutdown(): void;
  }
}

import type { Redis } from 'ioredis';
import { InvalidConfigError } from '../../errors/index.js';
import type {
  SharedBreakerAdmission,
  SharedBreakerChange,
  SharedBreakerReport,
  SharedBreakerRule,
  SharedBreakerState,
  SharedBreakerView,
  SharedLimitRule,
  SharedStateBackend,
} from '../shared-backend.js';
import {
  breakerAdmit,
  breakerForce,
  breakerRead,
  breakerRecord,
  gcraTake,
  memberBeat,
} from './scripts.js';

export interface RedisCoordinationOptions {
  /** A client from createRedisClient (its key prefix applies to every key we write). */
  readonly client: Redis;
  /** Namespace inside the prefix, so several fleets can share one Redis. Default 'coord'. */
  readonly namespace?: string;
}

type ScriptReply = [string, number, number, number];

interface ScriptedRedis extends Redis {
  sluiceGcraTake(key: string, emission: number, tolerance: number, cost: number): Promise<number>;
  sluiceMemberBeat(key: string, member: string, withinMs: number): Promise<number>;
  sluiceBreakerAdmit(key: string, ...args: (string | number)[]): Promise<ScriptReply>;
  sluiceBreakerRecord(key: string, ...args: (string | number)[]): Promise<ScriptReply>;
  sluiceBreakerRead(key: string, ...args: (string | number)[]): Promise<ScriptReply>;
  sluiceBreakerForce(key: string, ...args: (string | number)[]): Promise<ScriptReply>;
}

const states = new Set<string>(['closed', 'open', 'half_open']);

function toView(reply: ScriptReply): SharedBreakerView {
  const [state, remainingMs, generation] = reply;
  return {
    state: state as SharedBreakerState,
    remainingMs: Number(remainingMs),
    generation: Number(generation),
  };
}

/**
 * Breakers and rate limits shared through Redis: each decision one EVALSHA of a Lua script
 * (scripts.ts), transitions pushed over pub/sub on a second connection. Keys:
 * `<prefix><namespace>:limit:<key>`, `<prefix><namespace>:breaker:<name>` (+ `:w:<second>`
 * window buckets), `<prefix><namespace>:members`; channel `<prefix><namespace>:breaker-events`.
 */
export class RedisCoordination implements SharedStateBackend {
  readonly kind = 'redis';
  readonly #redis: ScriptedRedis;
  readonly #ns: string;
  readonly #channel: string;
  #subscriber: Redis | undefined;
  #subscribed: Promise<void> | undefined;
  readonly #listeners = new Set<(change: SharedBreakerChange) => void>();

  constructor(options: RedisCoordinationOptions) {
    if (typeof options?.client?.defineCommand !== 'function') {
      throw new InvalidConfigError('coordination.client', 'an ioredis client', options?.client);
    }
    const namespace = options.namespace ?? 'coord';
    if (typeof namespace !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(namespace)) {
      throw new InvalidConfigError(
        'coordination.namespace',
        '1 to 64 letters, digits, _ . or -',
        namespace,
      );
    }
    const redis = options.client as ScriptedRedis;
    // Connection errors reach us as failed commands (and the link falls back); without a
    // listener ioredis would also print each reconnect attempt as an unhandled error.
    if (redis.listenerCount('error') === 0) redis.on('error', () => {});
    const define = (name: string, lua: string): void => {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua });
    };
    define('sluiceGcraTake', gcraTake);
    define('sluiceMemberBeat', memberBeat);
    define('sluiceBreakerAdmit', breakerAdmit);
    define('sluiceBreakerRecord', breakerRecord);
    define('sluiceBreakerRead', breakerRead);
    define('sluiceBreakerForce', breakerForce);
    this.#redis = redis;
    this.#ns = namespace;
    // PUBLISH / SUBSCRIBE channels do not get ioredis's keyPrefix: add it ourselves.
    this.#channel = `${redis.options.keyPrefix ?? ''}${namespace}:breaker-events`;
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async take(key: string, cost: number, rule: SharedLimitRule): Promise<number> {
    const emission = 1000 / rule.ratePerSecond;
    return Number(
      await this.#redis.sluiceGcraTake(
        `${this.#ns}:limit:${key}`,
        emission,
        emission * rule.burst,
        cost,
      ),
    );
  }

  async heartbeat(member: string, withinMs: number): Promise<number> {
    return Number(await this.#redis.sluiceMemberBeat(`${this.#ns}:members`, member, withinMs));
  }

  async admit(breaker: string, rule: SharedBreakerRule): Promise<SharedBreakerAdmission> {
    const reply = await this.#redis.sluiceBreakerAdmit(
      this.#breakerKey(breaker),
      this.#channel,
      breaker,
      rule.permits,
      rule.maxWaitMs,
    );
    return { ...toView(reply), probe: Number(reply[3]) === 1 };
  }

  async record(
    breaker: string,
    rule: SharedBreakerRule,
    report: SharedBreakerReport,
  ): Promise<SharedBreakerView> {
    return toView(
      await this.#redis.sluiceBreakerRecord(
        this.#breakerKey(breaker),
        this.#channel,
        breaker,
        report.calls,
        report.failures,
        report.probe?.generation ?? 0,
        report.probe === undefined ? 0 : probeVerdict(report.probe.healthy),
        rule.windowSeconds,
        rule.failureRateThreshold,
        rule.minimumCalls,
        rule.openDurationMs,
        rule.permits,
        rule.successThreshold,
      ),
    );
  }

  async read(breaker: string): Promise<SharedBreakerView> {
    return toView(
      await this.#redis.sluiceBreakerRead(this.#breakerKey(breaker), this.#channel, breaker),
    );
  }

  async force(
    breaker: string,
    state: 'closed' | 'open',
    openMs: number,
  ): Promise<SharedBreakerView> {
    return toView(
      await this.#redis.sluiceBreakerForce(
        this.#breakerKey(breaker),
        this.#channel,
        breaker,
        state,
        openMs,
      ),
    );
  }

  async subscribe(listener: (change: SharedBreakerChange) => void): Promise<() => Promise<void>> {
    this.#listeners.add(listener);
    // Every caller waits for the same subscription, so none is told it listens before it does.
    this.#subscribed ??= this.#openSubscriber();
    await this.#subscribed;
    return async () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) await this.#closeSubscriber();
    };
  }

  async #openSubscriber(): Promise<void> {
    // A subscribed connection can do nothing else, so transitions get their own.
    const subscriber = this.#redis.duplicate({ keyPrefix: '', lazyConnect: true });
    subscriber.on('error', () => {}); // surfaced through the command connection's failures
    subscriber.on('message', (_channel: string, message: string) => this.#dispatch(message));
    this.#subscriber = subscriber;
    await subscriber.connect();
    await subscriber.subscribe(this.#channel);
  }

  async #closeSubscriber(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#subscribed = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  #dispatch(message: string): void {
    const [state, remaining, generation, ...rest] = message.split('|');
    if (state === undefined || !states.has(state)) return;
    const change: SharedBreakerChange = {
      state: state as SharedBreakerState,
      remainingMs: Number(remaining),
      generation: Number(generation),
      breaker: rest.join('|'),
    };
    for (const listener of this.#listeners) listener(change);
  }

  #breakerKey(breaker: string): string {
    return `${this.#ns}:breaker:${breaker}`;
  }

  /** Closes the subscriber connection (the command client belongs to the caller). */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#closeSubscriber();
  }
}

function probeVerdict(healthy: boolean | undefined): number {
  return healthy === undefined ? 2 : healthy ? 1 : 0;
}

/**
 * The Lua scripts behind Redis coordination. Each runs atomically on the Redis server and reads
 * its clock (`TIME`), so the fleet needs no synchronised clocks and no two processes can both
 * take the last token or the last probe permit. Redis 7 replicates a script's effects, so TIME
 * in a writing script is safe.
 */

const nowMs = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * GCRA. KEYS[1] the key's theoretical arrival time (ms). ARGV: emission interval (ms per unit),
 * tolerance (emission * burst: how far ahead of now the TAT may run), cost. Returns 0 when
 * admitted, else the wait in ms (ceil). The TAT key expires once it is in the past, so idle keys
 * cost nothing.
 */
export const gcraTake = `${nowMs}
local emission = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local newTat = tat + emission * cost
local allowAt = newTat - tolerance
if allowAt > now then return math.ceil(allowAt - now) end
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.max(1, math.ceil(newTat - now)))
return 0`;

/** KEYS[1] a sorted set of members by last beat. ARGV: member, window ms. Returns live members. */
export const memberBeat = `${nowMs}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZCARD', KEYS[1])`;

/**
 * The breaker's shared state lives in a hash (KEYS[1]): state, until (ms, while open), since
 * (ms, start of a half-open round), permits (left in the round), ok / bad (probe verdicts), gen.
 * Its window counts live in one hash per second (KEYS[1] .. ':w:' .. second: c calls, f
 * failures) that expire on their own. Transitions are published on ARGV[1] as
 * `state|remainingMs|gen|breaker`.
 */
const breakerCommon = `${nowMs}
local h = KEYS[1]
local channel = ARGV[1]
local breaker = ARGV[2]
local function publish(state, remaining, gen)
  redis.call('PUBLISH', channel, state .. '|' .. remaining .. '|' .. gen .. '|' .. breaker)
end
local function open(gen, openMs)
  gen = gen + 1
  redis.call('HSET', h, 'state', 'open', 'until', now + openMs, 'gen', gen)
  publish('open', openMs, gen)
  return {'open', openMs, gen, 0}
end
local function startRound(gen, permits)
  gen = gen + 1
  redis.call('HSET', h, 'state', 'half_open', 'since', now, 'permits', permits - 1, 'ok', 0, 'bad', 0, 'gen', gen)
  publish('half_open', 0, gen)
  return gen
end
local s = redis.call('HMGET', h, 'state', 'until', 'since', 'permits', 'gen')
local state = s[1] or 'closed'
local gen = tonumber(s[5] or '0')`;

/** ARGV: channel, breaker, permits, maxWaitMs. Returns {state, remainingMs, gen, probe(0|1)}. */
export const breakerAdmit = `${breakerCommon}
local permits = tonumber(ARGV[3])
local maxWait = tonumber(ARGV[4])
if state == 'closed' then return {'closed', 0, gen, 0} end
if state == 'open' then
  local untilMs = tonumber(s[2])
  if now < untilMs then return {'open', untilMs - now, gen, 0} end
  gen = startRound(gen, permits)
  return {'half_open', maxWait, gen, 1}
end
local elapsed = now - tonumber(s[3])
if elapsed >= maxWait then
  gen = startRound(gen, permits)
  return {'half_open', maxWait, gen, 1}
end
if tonumber(s[4]) > 0 then
  redis.call('HINCRBY', h, 'permits', -1)
  return {'half_open', maxWait - elapsed, gen, 1}
end
return {'half_open', maxWait - elapsed, gen, 0}`;

/**
 * ARGV: channel, breaker, calls, failures, probeGen (0: none), probe verdict (1 healthy, 0 not,
 * 2 none: the permit goes back to the round), windowSeconds,
 * failureRateThreshold, minimumCalls, openDurationMs, permits, successThreshold.
 */
export const breakerRecord = `${breakerCommon}
local calls = tonumber(ARGV[3])
local failures = tonumber(ARGV[4])
local probeGen = tonumber(ARGV[5])
local healthy = ARGV[6] == '1'
local windowSeconds = tonumber(ARGV[7])
local threshold = tonumber(ARGV[8])
local minimumCalls = tonumber(ARGV[9])
local openMs = tonumber(ARGV[10])
local permits = tonumber(ARGV[11])
local successThreshold = tonumber(ARGV[12])
if probeGen > 0 then
  if state ~= 'half_open' or gen ~= probeGen then return {state, 0, gen, 0} end
  if ARGV[6] == '2' then
    redis.call('HINCRBY', h, 'permits', 1)
    return {state, 0, gen, 0}
  end
  if healthy then
    if redis.call('HINCRBY', h, 'ok', 1) >= successThreshold then
      gen = gen + 1
      redis.call('HSET', h, 'state', 'closed', 'gen', gen)
      publish('closed', 0, gen)
      return {'closed', 0, gen, 0}
    end
  elseif redis.call('HINCRBY', h, 'bad', 1) > permits - successThreshold then
    return open(gen, openMs)
  end
  return {state, 0, gen, 0}
end
if state ~= 'closed' or calls <= 0 then
  local remaining = 0
  if state == 'open' then remaining = math.max(0, tonumber(s[2]) - now) end
  return {state, remaining, gen, 0}
end
local second = math.floor(now / 1000)
local bucket = h .. ':w:' .. second
redis.call('HINCRBY', bucket, 'c', calls)
redis.call('HINCRBY', bucket, 'f', failures)
redis.call('PEXPIRE', bucket, (windowSeconds + 1) * 1000)
if failures > 0 then
  local totalCalls, totalFailures = 0, 0
  for i = 0, windowSeconds - 1 do
    local b = redis.call('HMGET', h .. ':w:' .. (second - i), 'c', 'f')
    totalCalls = totalCalls + tonumber(b[1] or '0')
    totalFailures = totalFailures + tonumber(b[2] or '0')
  end
  if totalCalls >= minimumCalls and totalFailures / totalCalls >= threshold then
    for i = 0, windowSeconds - 1 do redis.call('DEL', h .. ':w:' .. (second - i)) end
    return open(gen, openMs)
  end
end
return {'closed', 0, gen, 0}`;

/** ARGV: channel, breaker. Returns {state, remainingMs, gen, 0}. */
export const breakerRead = `${breakerCommon}
if state == 'open' then return {state, math.max(0, tonumber(s[2]) - now), gen, 0} end
return {state, 0, gen, 0}`;

/** ARGV: channel, breaker, target ('closed' | 'open'), openMs. */
export const breakerForce = `${breakerCommon}
if ARGV[3] == 'open' then return open(gen, tonumber(ARGV[4])) end
gen = gen + 1
redis.call('HSET', h, 'state', 'closed', 'gen', gen)
publish('closed', 0, gen)
return {'closed', 0, gen, 0}`;

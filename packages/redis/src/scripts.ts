/**
 * The Lua scripts: each store call is one script, so that what it reads and what it writes are one
 * step for Redis and concurrent instances never interleave. Run with EVALSHA, and EVAL when the
 * server answers NOSCRIPT (restarted, SCRIPT FLUSH, a replica promoted); see store.ts.
 *
 * Numbers cross as decimal strings (ARGV) and come back as integers; the times are the caller's
 * milliseconds, never the server's clock (Redis's own clock only runs the PEXPIRE/PX clean-up).
 */
import { createHash } from 'node:crypto'

export interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/**
 * A sliding window. KEYS[1]: the sorted set (member → its `at`); KEYS[2]: the companion hash of
 * weights. ARGV: member, weight, at, windowMs, cap. Returns the window's total.
 *
 * Weights: the sorted set's member is the caller's member as it is, so that adding it again finds
 * and re-dates the same entry (ZADD GT: never back in time); its weight lives in the hash under
 * `=<member>`, next to the running total under `total` (no field of a member can be `total`, every
 * one starts with `=`). Adding a member again takes its old weight off the total before adding the
 * new one, so a distinct count never counts twice, and an add that reaches Redis twice (a replay
 * after a call that timed out but went through) changes nothing the second time.
 *
 * The window's "now" is the newest entry's time, as in the memory store; entries at or before
 * now - windowMs go, then the oldest past `cap`. An entry is scored with its own `at` (not moved to
 * the newest one's time as the memory store does): another instance's slightly different clock, or
 * a replay after an outage, keeps the entry where it happened. Both keys are PEXPIRE'd to the window
 * after every add, so Redis forgets a window nobody adds to.
 */
export const ADD = script(`
local zset, weights = KEYS[1], KEYS[2]
local member = ARGV[1]
local weight = tonumber(ARGV[2])
local at = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local field = '=' .. member
-- The two keys expire together; should the hash ever outlive the set, its total starts afresh.
if redis.call('EXISTS', zset) == 0 then redis.call('DEL', weights) end
local total = tonumber(redis.call('HGET', weights, 'total') or 0)
total = total - tonumber(redis.call('HGET', weights, field) or 0) + weight
redis.call('ZADD', zset, 'GT', at, member)
redis.call('HSET', weights, field, weight)
local newest = tonumber(redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')[2])
if at > newest then newest = at end
local function drop(members)
  for _, m in ipairs(members) do
    local f = '=' .. m
    total = total - tonumber(redis.call('HGET', weights, f) or 0)
    redis.call('HDEL', weights, f)
    redis.call('ZREM', zset, m)
  end
end
drop(redis.call('ZRANGEBYSCORE', zset, '-inf', newest - window))
local excess = redis.call('ZCARD', zset) - cap
if excess > 0 then drop(redis.call('ZRANGE', zset, 0, excess - 1)) end
if redis.call('ZCARD', zset) == 0 then
  redis.call('DEL', zset, weights)
  return 0
end
redis.call('HSET', weights, 'total', total)
redis.call('PEXPIRE', zset, window)
redis.call('PEXPIRE', weights, window)
return total
`)

/**
 * A claim. KEYS[1]: the claim's key, holding the `until` of whoever took it. ARGV: now, until,
 * ttlMs. Taken (1) when absent or when its `until` ≤ now (the caller's clock); PX ttlMs cleans up.
 */
export const CLAIM = script(`
local held = redis.call('GET', KEYS[1])
if held and tonumber(held) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

/**
 * Sets a block. KEYS[1]: the blocks hash. ARGV: field (`kind:value`), stored JSON, channel, message.
 */
export const SET_BLOCK = script(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`)

/**
 * Lifts a block. KEYS[1]: the blocks hash. ARGV: field, channel, the message's head (see message.ts:
 * the stored JSON and the field are appended here, so that watchers learn what was lifted).
 * Returns the stored JSON, or nil when there was no such block.
 */
export const LIFT_BLOCK = script(`
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return nil end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3] .. stored .. '\\n' .. ARGV[1])
return stored
`)

/**
 * The blocks in force. KEYS[1]: the blocks hash. ARGV: now. Drops the expired ones (and any field
 * it cannot read) in the same step, so a block extended meanwhile by another instance is not lost.
 * Returns field, JSON, field, JSON, …
 */
export const LIST_BLOCKS = script(`
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local ok, block = pcall(cjson.decode, all[i + 1])
  if ok and type(block) == 'table' and type(block['until']) == 'number' and block['until'] > now then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return out
`)

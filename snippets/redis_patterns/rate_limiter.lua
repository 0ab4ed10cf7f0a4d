-- Sliding window counter, checked and counted in one step on the shard that holds the counter.
-- EVALSHA <sha1> 1 <counter key> <limit> <window seconds>
--   KEYS[1]  the client's counter under one rule: a hash with the fields start, count, previous,
--            e.g. rl:orders-api:free:swc:key_7f3a9c (swc: the rule's algorithm is part of the key)
--   ARGV[1]  the rule's limit, ARGV[2] its window in seconds
-- Reply: {allowed (1 or 0), requests left, seconds (to wait if refused, to the interval's end if
--         allowed), created (1 when this call made the counter, so the caller may reload it)}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])

-- The shard's clock decides, not the caller's: every limiter server sees the same interval.
local time = redis.call('TIME')                -- {seconds, microseconds}
local seconds = tonumber(time[1])
local now = seconds + tonumber(time[2]) / 1000000
local start = seconds - seconds % window       -- this interval's first second

local saved = redis.call('HMGET', KEYS[1], 'start', 'count', 'previous')
local created = saved[1] == false and 1 or 0   -- a missing field comes back as false
local saved_start = tonumber(saved[1])
local count = tonumber(saved[2]) or 0
local previous = tonumber(saved[3]) or 0
if saved_start ~= start then                   -- a new interval: roll the counts forward
  if saved_start == start - window then previous = count else previous = 0 end
  count = 0
end

local elapsed = now - start
local estimate = previous * (window - elapsed) / window + count
if estimate + 1 > limit then
  -- Refused, and not counted: a client that keeps retrying still sees its window drain.
  -- Retry-After is the first moment this same check lets a request through:
  local wait
  if count + 1 <= limit and previous > 0 then
    -- later in this interval, once the previous interval's weight has decayed enough;
    wait = window * (1 - (limit - 1 - count) / previous) - elapsed
  else
    -- else after this interval, once its count (then the previous one) has decayed enough.
    -- The interval's end alone is too soon: its full count then still weighs almost whole.
    wait = (start + window - now) + window * (1 - (limit - 1) / count)
  end
  return {0, 0, math.max(1, math.ceil(wait - 1e-9)), 0}  -- (1e-9: rounding, not a second more)
end

count = count + 1
redis.call('HSET', KEYS[1], 'start', start, 'count', count, 'previous', previous)
redis.call('EXPIRE', KEYS[1], 2 * window)      -- gone once neither interval matters
local left = math.floor(limit - (estimate + 1))
return {1, left, math.ceil(start + window - now), created}

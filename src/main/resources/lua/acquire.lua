-- acquire(owner, mode x|s, lease_ms, waiter_ttl_ms, wait 0|1, purpose, node, prune_limit, wake_limit, quarantine_ms)
-- granted:            {1, fence, lease_ms_left}
-- quarantined:        {2, quarantine_ms_left, marker_was_missing 0|1}   (neither granted nor queued)
-- refused, wait=0:    {0, -1, hint_ms, holder_mode, holder_owner, holder_purpose, holder_age_ms, queue_len}
-- queued,  wait=1:    {0, rank, hint_ms}         (this call is also the waiter's heartbeat)
local owner, mode, purpose, node = ARGV[1], ARGV[2], ARGV[6], ARGV[7]
local lease, wttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local wait = ARGV[5] == '1'
local plimit, wlimit = tonumber(ARGV[8]), tonumber(ARGV[9])
local now = now_ms()
local pruned = 0

local qleft, fresh = quarantine(now, tonumber(ARGV[10]))
if qleft > 0 then return {2, qleft, fresh and 1 or 0} end

-- Idempotent re-entry: a retry after a lost reply gets the same grant back.
local xv = redis.call('GET', X)
if xv then
  local f, _, o = parse_x(xv)
  if o == owner then return {1, tonumber(f), redis.call('PTTL', X)} end
end
local readers = redis.call('ZCARD', S)
if readers > 0 then
  if mode == 's' then
    local sc = redis.call('ZSCORE', S, owner)
    if sc and tonumber(sc) > now then return {1, current_counter(now), tonumber(sc) - now} end
  end
  pruned = prune_readers(now, plimit)
  if pruned > 0 then readers = redis.call('ZCARD', S) end
end

local head = redis.call('ZRANGE', Q, 0, 0)
local ticket = false
if #head > 0 then
  local p = prune_waiters(now, plimit)
  if p > 0 then
    pruned = pruned + p
    head = redis.call('ZRANGE', Q, 0, 0)
  end
  if #head > 0 then ticket = redis.call('ZSCORE', Q, owner) end
end

local ok = false
if not xv then
  if mode == 'x' then
    ok = readers == 0 and (#head == 0 or head[1] == owner)
  else
    local fx = #head > 0 and redis.call('ZRANGE', QX, 0, 0, 'WITHSCORES') or {}
    -- readers never pass a queued writer: the anti-starvation rule
    ok = #fx == 0 or (ticket and tonumber(ticket) < tonumber(fx[2]))
  end
end

if ok then
  if ticket then
    redis.call('ZREM', Q, owner)
    redis.call('ZREM', QX, owner)
    redis.call('ZREM', QE, owner)
    redis.call('HDEL', M, owner)
  end
  local fence
  if mode == 'x' then
    fence = next_counter(now)
    redis.call('SET', X, fmt(fence) .. '|' .. fmt(now) .. '|' .. owner .. '|' .. purpose, 'PX', lease)
  else
    fence = current_counter(now)
    redis.call('ZADD', S, now + lease, owner)
    redis.call('HSET', M, owner, 's|' .. fmt(now) .. '|' .. purpose)
    extend(S, lease)
    extend(M, lease)
  end
  -- a granted reader may unblock the readers queued behind it; pruning may unblock anyone
  if pruned > 0 or (mode == 's' and ticket) then notify(node, wlimit) end
  return {1, fence, lease}
end

local hint = wttl
if xv then
  hint = redis.call('PTTL', X)
elseif readers > 0 then
  local first = redis.call('ZRANGE', S, 0, 0, 'WITHSCORES')
  if #first > 0 then hint = tonumber(first[2]) - now end
end
if hint < 0 then hint = 0 end

if pruned > 0 then notify(node, wlimit) end
if not wait then
  -- try-once never queues, so it can never get ahead of a queued waiter
  local h = holder(now)
  return {0, -1, hint, h[1], h[2], h[3], h[4], redis.call('ZCARD', Q)}
end

if not ticket then
  local t = next_counter(now)
  redis.call('ZADD', Q, t, owner)
  if mode == 'x' then redis.call('ZADD', QX, t, owner) end
  redis.call('HSET', M, owner, mode .. '|' .. fmt(now) .. '|' .. purpose)
end
redis.call('ZADD', QE, now + wttl, owner)
redis.call('PEXPIRE', Q, wttl)
redis.call('PEXPIRE', QX, wttl)
redis.call('PEXPIRE', QE, wttl)
extend(M, wttl)
return {0, redis.call('ZRANK', Q, owner), hint}

-- leave(owner, node, prune_limit, wake_limit): a waiter gives up. Also drops a grant that raced with the
-- give-up (the caller will never use it). Idempotent.
-- -> {rank_or_-1, holder_mode, holder_owner, holder_purpose, holder_age_ms, queue_len}
local owner, node = ARGV[1], ARGV[2]
local plimit, wlimit = tonumber(ARGV[3]), tonumber(ARGV[4])
local now = now_ms()
local changed = false
local rank = redis.call('ZRANK', Q, owner)
if rank then
  redis.call('ZREM', Q, owner)
  redis.call('ZREM', QX, owner)
  redis.call('ZREM', QE, owner)
  redis.call('HDEL', M, owner)
  changed = true
else
  rank = -1
end
local v = redis.call('GET', X)
if v then
  local _, _, o = parse_x(v)
  if o == owner then
    redis.call('DEL', X)
    changed = true
  end
end
if redis.call('ZREM', S, owner) == 1 then
  redis.call('HDEL', M, owner)
  changed = true
end
local pruned = prune_readers(now, plimit) + prune_waiters(now, plimit)
-- the leaver may have been the head, or the writer the readers behind it were waiting for
if changed or pruned > 0 then notify(node, wlimit) end
local h = holder(now)
return {rank, h[1], h[2], h[3], h[4], redis.call('ZCARD', Q)}

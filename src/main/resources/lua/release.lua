-- release(owner, mode x|s, fence, node, prune_limit, wake_limit) -> 1 released, 0 not held (lost or re-granted)
local owner, mode, fence, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local plimit, wlimit = tonumber(ARGV[5]), tonumber(ARGV[6])
local released = 0
local now = false

if mode == 'x' then
  local v = redis.call('GET', X)
  if v then
    local f, _, o = parse_x(v)
    -- compare-and-delete: a late release never touches a newer holder
    if f == fence and o == owner then
      redis.call('DEL', X)
      released = 1
    end
  end
  if released == 0 then return 0 end
else
  local sc = redis.call('ZSCORE', S, owner)
  if not sc then return 0 end
  now = now_ms()
  if tonumber(sc) > now then released = 1 end
  redis.call('ZREM', S, owner)
  redis.call('HDEL', M, owner)
end

if redis.call('EXISTS', Q) == 0 then return released end
now = now or now_ms()
prune_readers(now, plimit)
prune_waiters(now, plimit)
notify(node, wlimit)
return released

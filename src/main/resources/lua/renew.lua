-- renew(owner, mode x|s, fence, lease_ms) -> 1 renewed, 0 lease lost (the holder must stop at once)
local owner, mode, fence, lease = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if mode == 'x' then
  local v = redis.call('GET', X)
  if not v then return 0 end
  local f, _, o = parse_x(v)
  if f ~= fence or o ~= owner then return 0 end
  redis.call('PEXPIRE', X, lease)
  return 1
end
local now = now_ms()
local sc = redis.call('ZSCORE', S, owner)
if not sc or tonumber(sc) <= now then return 0 end
redis.call('ZADD', S, 'XX', now + lease, owner)
extend(S, lease)
extend(M, lease)
return 1

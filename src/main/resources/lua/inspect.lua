-- inspect(limit) -> {now, x_value_or_'', x_pttl, {owner, expiry, meta}..., {waiter, ticket, heartbeat_expiry, meta}..., queue_len, counter}
-- Read-only.
local limit = tonumber(ARGV[1])
local now = now_ms()
local xv = redis.call('GET', X) or ''
local xttl = redis.call('PTTL', X)
local readers = {}
local s = redis.call('ZRANGEBYSCORE', S, '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #s, 2 do
  readers[#readers + 1] = s[i]
  readers[#readers + 1] = s[i + 1]
  readers[#readers + 1] = redis.call('HGET', M, s[i]) or ''
end
local waiters = {}
local q = redis.call('ZRANGE', Q, 0, limit - 1, 'WITHSCORES')
for i = 1, #q, 2 do
  waiters[#waiters + 1] = q[i]
  waiters[#waiters + 1] = q[i + 1]
  waiters[#waiters + 1] = redis.call('ZSCORE', QE, q[i]) or '0'
  waiters[#waiters + 1] = redis.call('HGET', M, q[i]) or ''
end
return {now, xv, xttl, readers, waiters, redis.call('ZCARD', Q), redis.call('GET', N) or '0'}

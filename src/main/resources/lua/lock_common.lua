-- Shared prelude of every node-lock script (prepended by LockScripts before loading).
-- All keys of one node share the hash tag {uuid}, so the scripts are Cluster-safe.
-- KEYS: 1 x  exclusive holder  STRING "fence|since|owner|purpose", PX = lease
--       2 s  shared holders    ZSET owner -> lease expiry (server ms)
--       3 q  waiters           ZSET waiter -> ticket (FIFO order)
--       4 qx exclusive waiters ZSET waiter -> ticket (finds the first writer in O(log N))
--       5 qe waiter liveness   ZSET waiter -> heartbeat expiry (server ms)
--       6 n  counter for tickets and fences, re-seeded from server time when missing
--       7 m  metadata          HASH waiter/shared owner -> "mode|since|purpose"
--       8 b  the slot's boot marker (no TTL): the replication id it was written under; missing or another id means
--            the slot's data was lost (or never existed) or Redis failed over
--       9 qt the slot's quarantine (PX = lease): no grants while it exists
local X, S, Q, QX, QE, N, M = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local B, QT = KEYS[8], KEYS[9]

-- Server time only: client clocks never matter.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n)
  return string.format('%.0f', n)
end

local function parse_x(v)
  local f, since, o, p = string.match(v, '^(%d+)|(%d+)|([^|]*)|(.*)$')
  return f, tonumber(since), o, p
end

local function parse_meta(v)
  if not v then return '', 0, '' end
  local mode, since, p = string.match(v, '^(%a)|(%d+)|(.*)$')
  return mode or '', tonumber(since) or 0, p or ''
end

-- Tickets and fences come from one counter. When it is missing (deleted, or Redis lost its data) it is
-- re-seeded with now_ms*1000, above anything handed out before unless >1000 grants/ms were sustained.
local function next_counter(now)
  local v = redis.call('INCR', N)
  if v == 1 then
    v = now * 1000
    redis.call('SET', N, fmt(v))
  end
  return v
end

local function current_counter(now)
  local v = redis.call('GET', N)
  if v then return tonumber(v) end
  v = now * 1000
  redis.call('SET', N, fmt(v))
  return v
end

-- PEXPIRE that never shortens (leases and waiter TTLs may differ between callers); also gives a TTL to a
-- key just created without one (PTTL -1).
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

local function prune_waiters(now, limit)
  local dead = redis.call('ZRANGEBYSCORE', QE, '-inf', now, 'LIMIT', 0, limit)
  if #dead == 0 then return 0 end
  redis.call('ZREM', Q, unpack(dead))
  redis.call('ZREM', QX, unpack(dead))
  redis.call('ZREM', QE, unpack(dead))
  redis.call('HDEL', M, unpack(dead))
  return #dead
end

local function prune_readers(now, limit)
  local dead = redis.call('ZRANGEBYSCORE', S, '-inf', now, 'LIMIT', 0, limit)
  if #dead == 0 then return 0 end
  redis.call('ZREM', S, unpack(dead))
  redis.call('HDEL', M, unpack(dead))
  return #dead
end

-- Who may take the lock right now: the exclusive head alone (once readers drained), or every waiter
-- ahead of the first exclusive waiter.
local function eligible(limit)
  if redis.call('EXISTS', X) == 1 then return {} end
  local head = redis.call('ZRANGE', Q, 0, 0)
  if #head == 0 then return {} end
  local fx = redis.call('ZRANGE', QX, 0, 0, 'WITHSCORES')
  if #fx == 0 then return redis.call('ZRANGE', Q, 0, limit - 1) end
  if fx[1] == head[1] then
    if redis.call('ZCARD', S) == 0 then return head end
    return {}
  end
  return redis.call('ZRANGEBYSCORE', Q, '-inf', '(' .. fx[2], 'LIMIT', 0, limit)
end

-- One message per client process: "<node> <waiter> <waiter> ...", on channel lk:ev:<clientId>.
local function notify(node, limit)
  local ws = eligible(limit)
  if #ws == 0 then return 0 end
  local by, order = {}, {}
  for _, w in ipairs(ws) do
    local c = string.match(w, '^(.*)/[^/]*$')
    if c then
      if not by[c] then
        by[c] = {}
        order[#order + 1] = c
      end
      local list = by[c]
      list[#list + 1] = w
    end
  end
  for _, c in ipairs(order) do
    redis.call('PUBLISH', 'lk:ev:' .. c, node .. ' ' .. table.concat(by[c], ' '))
  end
  return #ws
end

-- Who holds the node, for NodeLocked errors: {mode, owner, purpose, age_ms}.
local function holder(now)
  local v = redis.call('GET', X)
  if v then
    local _, since, o, p = parse_x(v)
    return {'x', o, p, now - since}
  end
  local r = redis.call('ZRANGEBYSCORE', S, '(' .. now, '+inf', 'LIMIT', 0, 1)
  if #r > 0 then
    local _, since, p = parse_meta(redis.call('HGET', M, r[1]))
    return {'s', r[1], p, now - since}
  end
  return {'', '', '', 0}
end

-- The replication history this server serves: a fail-over promotes a replica, which starts a new replication id; a
-- restart without persistence starts one too.
local function replid()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)') or '?'
end

-- antirez's "delayed restart", done logically per slot: a marker missing, or written under another replication id
-- (a fail-over to a replica that may lag), means leases of the slot may have been lost, so grants wait until any
-- lease granted before has run out. Returns the quarantine's PTTL (<= 0: none) and whether this call found the
-- marker missing or stale.
local function quarantine(now, quarantine_ms)
  local fresh = false
  local id = replid()
  local b = redis.call('GET', B)
  if b and string.match(b, '^%d+$') then
    redis.call('SET', B, id) -- a marker from before replication ids were recorded: adopted, nothing was lost
  elseif b ~= id then
    redis.call('SET', B, id)
    redis.call('SET', QT, fmt(now), 'PX', quarantine_ms, 'NX')
    fresh = true
  end
  return redis.call('PTTL', QT), fresh
end

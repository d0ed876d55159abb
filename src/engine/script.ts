// The one Lua script that writes a batch: all or nothing, idempotent.
//
// A Lua script does not roll back after a runtime error, so the script first checks everything that could make
// a write fail or count twice (identities already seen, qty sums that would overflow 64 bits) and returns
// without writing when any check fails; the engine then removes the offending events and sends the rest again.
// Only when every check passes does it write: identities, bucket increments (already combined per bucket and
// field by the engine, passed as exact integer strings), expiries, indexes and log entries.
//
// The batch arrives as ONE argument, a JSON array of strings decoded by Redis's built-in cjson: about 10 strings
// per event as separate arguments cost more to encode in ioredis (Command's args.flat() and the RESP string) and
// to unpack into ARGV than the one native decode (measured: `scripts/bench/script-cost.ts`). Every element is a
// JSON string, so no number passes through a Lua double on the way in.
//
// Array layout (all strings):
//   [1] xadd trim MINID ('' = no trim)   [2] G minute groups   [3] B buckets   [4] E log entries
//   per group : seenKey topKey bigKey expireAt nIds id… nTop (member score)… nBig (score member)… bigKeep
//   per bucket: key expireAt nFields (field inc)…   (qty fields are the ones ending in 'qty_e8')
//   per entry : id ts exchange symbol side price quantity value_cents usd('' when none)
export const WRITE_BATCH_LUA = `
local a = cjson.decode(ARGV[1])
local minid = a[1]
local G = tonumber(a[2])
local B = tonumber(a[3])
local E = tonumber(a[4])
local p = 5
local CHUNK = 500

-- phase 1: checks, no writes
local groups = {}
for g = 1, G do
  local grp = { seen = a[p], top = a[p + 1], big = a[p + 2], exp = a[p + 3] }
  local n = tonumber(a[p + 4])
  grp.ids0 = p + 5
  grp.nIds = n
  p = p + 5 + n
  grp.nTop = tonumber(a[p])
  grp.top0 = p + 1
  p = p + 1 + 2 * grp.nTop
  grp.nBig = tonumber(a[p])
  grp.big0 = p + 1
  p = p + 1 + 2 * grp.nBig
  grp.bigKeep = tonumber(a[p])
  p = p + 1
  groups[g] = grp
end
local dups = {}
for g = 1, G do
  local grp = groups[g]
  local i = 0
  while i < grp.nIds do
    local m = math.min(CHUNK, grp.nIds - i)
    local ids = {}
    for j = 1, m do ids[j] = a[grp.ids0 + i + j - 1] end
    local got = redis.call('HMGET', grp.seen, unpack(ids))
    for j = 1, m do
      if got[j] then dups[#dups + 1] = ids[j] end
    end
    i = i + m
  end
end
if #dups > 0 then
  table.insert(dups, 1, 'DUP')
  return dups
end
local buckets = {}
for b = 1, B do
  local bk = { key = a[p], exp = a[p + 1], n = tonumber(a[p + 2]), f0 = p + 3 }
  p = p + 3 + 2 * bk.n
  buckets[b] = bk
  for k = 0, bk.n - 1 do
    local field = a[bk.f0 + 2 * k]
    if string.sub(field, -6) == 'qty_e8' then
      local cur = tonumber(redis.call('HGET', bk.key, field) or '0') or 0
      -- doubles are exact to ~1e-16 relative: a 2e17 margin below 2^63 is far beyond any rounding
      if cur + tonumber(a[bk.f0 + 2 * k + 1]) > 9.0e18 then
        return { 'OVERFLOW', bk.key }
      end
    end
  end
end

-- phase 2: writes
for g = 1, G do
  local grp = groups[g]
  local i = 0
  while i < grp.nIds do
    local m = math.min(CHUNK, grp.nIds - i)
    local args = {}
    for j = 1, m do
      args[2 * j - 1] = a[grp.ids0 + i + j - 1]
      args[2 * j] = '1'
    end
    redis.call('HSET', grp.seen, unpack(args))
    i = i + m
  end
  redis.call('EXPIREAT', grp.seen, grp.exp)
  if grp.nTop > 0 then
    for k = 0, grp.nTop - 1 do
      redis.call('ZINCRBY', grp.top, a[grp.top0 + 2 * k + 1], a[grp.top0 + 2 * k])
    end
    redis.call('EXPIREAT', grp.top, grp.exp)
  end
  if grp.nBig > 0 then
    local args = {}
    for k = 0, 2 * grp.nBig - 1 do args[k + 1] = a[grp.big0 + k] end
    redis.call('ZADD', grp.big, unpack(args))
    redis.call('ZREMRANGEBYRANK', grp.big, 0, -(grp.bigKeep + 1))
    redis.call('EXPIREAT', grp.big, grp.exp)
  end
end
for b = 1, B do
  local bk = buckets[b]
  for k = 0, bk.n - 1 do
    redis.call('HINCRBY', bk.key, a[bk.f0 + 2 * k], a[bk.f0 + 2 * k + 1])
  end
  redis.call('EXPIREAT', bk.key, bk.exp)
end
-- One XADD per entry; the argument tables are built once and refilled (no table per entry for the GC).
local base = { 'liq:events', '*', 'id', '', 'ts', '', 'exchange', '', 'symbol', '', 'side', '', 'price', '', 'quantity', '', 'value_cents', '', 'usd', '' }
for e = 0, E - 1 do
  local q = p + 9 * e
  if e == 0 and minid ~= '' then
    local args = { 'liq:events', 'MINID', '~', minid, '*' }
    local names = { 'id', 'ts', 'exchange', 'symbol', 'side', 'price', 'quantity', 'value_cents' }
    for k = 1, 8 do
      args[#args + 1] = names[k]
      args[#args + 1] = a[q + k - 1]
    end
    if a[q + 8] ~= '' then
      args[#args + 1] = 'usd'
      args[#args + 1] = a[q + 8]
    end
    redis.call('XADD', unpack(args))
  else
    for k = 1, 8 do base[2 + 2 * k] = a[q + k - 1] end
    if a[q + 8] ~= '' then
      base[20] = a[q + 8]
      redis.call('XADD', unpack(base, 1, 20))
    else
      redis.call('XADD', unpack(base, 1, 18))
    end
  end
end
return { 'OK', tostring(E) }
`;

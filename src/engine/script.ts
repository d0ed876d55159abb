// The one Lua script that writes a batch: all or nothing, idempotent.
//
// A Lua script does not roll back after a runtime error, so the script first checks everything that could make
// a write fail or count twice (identities already seen, any bucket field whose sum would pass 2^63 - 1, the limit
// of HINCRBY) and returns without writing when any check fails (except a qty_e8 sum past the limit: that bucket's
// qty fields are left as they are for the batch and its events counted in `qty_capped`, see below); the writer then removes the offending events and
// sends the rest again. Only when every check passes does it write: identities, bucket increments (already
// combined per bucket and field by the engine, passed as exact integer strings: the minute buckets and their hourly
// and daily rollups alike, so exactly-once and the 2^63 - 1 check hold for the rollups too), expiries, indexes, log
// entries, alerts, and the instance's marker (see marker.ts), whose count before this batch is returned so that a
// Redis that lost data is noticed.
//
// Alerts are decided here, inside the atomic step that writes what raises them, so that any number of daemons on one
// Redis record each alert once: a single liquidation at or above ALERT_MIN_USD is an alert when its event is counted
// (identity: the event's id); a minute bucket whose value_cents goes from below ALERT_MINUTE_USD to at or above it by
// this batch's increment is an alert (identity: minute|symbol|threshold). Each is added to the stream liq:alerts,
// published on the channel liq:alerts, and returned to the writer (whose instance then posts the webhook).
//
// The batch arrives as ONE argument, a JSON array of strings decoded by Redis's built-in cjson: about 10 strings
// per event as separate arguments cost more to encode in ioredis (Command's args.flat() and the RESP string) and
// to unpack into ARGV than the one native decode (measured: `scripts/bench/script-cost.ts`). Every element is a
// JSON string, so no number passes through a Lua double on the way in.
//
// Array layout (all strings):
//   [1] xadd trim MINID ('' = no trim)   [2] G minute groups   [3] B buckets   [4] E log entries
//   [5] marker key ('' = none)   [6] marker start (ms)   [7] marker TTL (ms)
//   [8] own-ids key ('' = none)  [9] score (now, ms)  [10] prune below (ms)  [11] K own ids, then the K ids
//   then alerts: minute threshold in cents ('' = none), liq:alerts MINID, now (ms), A, then A entry positions (0-based)
//   per group : seenKey ('' for a rollup period) topKey bigKey expireAt nIds id… nTop (member score)… nBig (score member)… bigKeep
//   per bucket: key expireAt nFields watch (field inc)…   (watch: 1-based position of the value_cents field checked
//               against the minute threshold, 0 = none; qty fields are the ones ending in 'qty_e8')
//            or key expireAt 'R' i                  (a rollup with the same fields and increments as bucket i)
//   per entry : id ts exchange symbol side price quantity value_cents usd('' when none)
// KEYS[1] is the event log and KEYS[2] the alerts stream (liq:events and liq:alerts; on a Cluster the day's, whose
// hash tag every key of the batch shares: the call is routed by them, see core/keys.ts). ARGV[2] and ARGV[3], when
// given (a Cluster's per-day streams), are the Unix seconds at which the log and the alerts stream expire: a day's
// stream is no longer trimmed once nothing is added to it.
// Reply: OK, E, the marker's count before, then one JSON object per alert recorded.
export const WRITE_BATCH_LUA = `
local a = cjson.decode(ARGV[1])
local minid = a[1]
local G = tonumber(a[2])
local B = tonumber(a[3])
local E = tonumber(a[4])
local marker = a[5]
local idsKey = a[8]
local idsScore = a[9]
local idsPrune = a[10]
local K = tonumber(a[11])
local ids0 = 12
local p = 12 + K
local CHUNK = 500
local alertMinute = a[p]
local alertMinid = a[p + 1]
local alertAt = a[p + 2]
local A = tonumber(a[p + 3])
local alertEntries = p + 4
p = p + 4 + A

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
-- Events identified by the exchange's own id count once across minutes too (liq:ids, kept a day).
local i = 0
while i < K do
  local m = math.min(CHUNK, K - i)
  local ids = {}
  for j = 1, m do ids[j] = a[ids0 + i + j - 1] end
  local got = redis.call('ZMSCORE', idsKey, unpack(ids))
  for j = 1, m do
    if got[j] then dups[#dups + 1] = ids[j] end
  end
  i = i + m
end
if #dups > 0 then
  table.insert(dups, 1, 'DUP')
  return dups
end
-- Every field a bucket will be incremented by, against its current value: one HMGET per bucket. Doubles are exact
-- to about 1e-16 relative, so a sum below 9.2e18 is certainly below 2^63 - 1 (9.223e18); above that, the exact
-- decimal sum decides. Every field that would pass the limit is named with its current value: the writer then
-- drops exactly the events that would carry it over and sends the rest again.
local LIMIT = '9223372036854775807'
local function addDigits(x, y)
  local out, carry = {}, 0
  local i, j = #x, #y
  while i > 0 or j > 0 or carry > 0 do
    local s = carry + (i > 0 and (string.byte(x, i) - 48) or 0) + (j > 0 and (string.byte(y, j) - 48) or 0)
    out[#out + 1] = string.char(48 + s % 10)
    carry = math.floor(s / 10)
    i = i - 1
    j = j - 1
  end
  local r = string.reverse(table.concat(out))
  r = string.gsub(r, '^0+', '')
  if r == '' then r = '0' end
  return r
end
local function over(x)
  return #x > #LIMIT or (#x == #LIMIT and x > LIMIT)
end
-- x >= y for decimal digit strings without leading zeros
local function ge(x, y)
  if #x ~= #y then return #x > #y end
  return x >= y
end
local alertMinuteD = alertMinute ~= '' and tonumber(alertMinute) or nil
local crossed = {}
local buckets = {}
local overflow = nil
for b = 1, B do
  local bk
  if a[p + 2] == 'R' then
    local src = buckets[tonumber(a[p + 3])]
    bk = { key = a[p], exp = a[p + 1], n = src.n, watch = 0, f0 = src.f0, fields = src.fields }
    p = p + 4
  else
    bk = { key = a[p], exp = a[p + 1], n = tonumber(a[p + 2]), watch = tonumber(a[p + 3]), f0 = p + 4 }
    p = p + 4 + 2 * bk.n
    bk.fields = {}
    for k = 0, bk.n - 1 do bk.fields[k + 1] = a[bk.f0 + 2 * k] end
  end
  buckets[b] = bk
  local fields = bk.fields
  local cur = redis.call('HMGET', bk.key, unpack(fields))
  for k = 0, bk.n - 1 do
    local c = cur[k + 1] or '0'
    local inc = a[bk.f0 + 2 * k + 1]
    -- a value HINCRBY cannot add to (not an integer) fails the same way: it is named too
    local bad = not string.find(c, '^%d+$')
    local name = fields[k + 1]
    if not bad and tonumber(c) + tonumber(inc) >= 9.2e18 then
      bad = over(addDigits(c, inc))
      -- A quantity sum past the limit (a sub-cent coin counted in coins, over a day) does not refuse the events:
      -- this batch leaves the bucket's qty fields as they are and counts its events in qty_capped instead.
      if bad and string.sub(name, -6) == 'qty_e8' then
        bk.capQty = true
        bad = false
      end
    end
    if name == 'count' then bk.countInc = inc end
    if bad then
      overflow = overflow or { 'OVERFLOW' }
      overflow[#overflow + 1] = bk.key
      overflow[#overflow + 1] = fields[k + 1]
      overflow[#overflow + 1] = c
    end
    -- the minute threshold: crossed by this increment (below before, at or above after); doubles decide far from
    -- it, exact digits near it
    if k + 1 == bk.watch and alertMinuteD and not bad then
      local cd = tonumber(c)
      if cd < alertMinuteD * 1.000001 and cd + tonumber(inc) > alertMinuteD * 0.999999 then
        local after = addDigits(c, inc)
        if ge(after, alertMinute) and not ge(c, alertMinute) then crossed[#crossed + 1] = { bk.key, after } end
      end
    end
  end
end
if overflow then return overflow end

-- phase 2: writes
if K > 0 then
  local i = 0
  while i < K do
    local m = math.min(CHUNK, K - i)
    local args = {}
    for j = 1, m do
      args[2 * j - 1] = idsScore
      args[2 * j] = a[ids0 + i + j - 1]
    end
    redis.call('ZADD', idsKey, unpack(args))
    i = i + m
  end
  redis.call('ZREMRANGEBYSCORE', idsKey, '-inf', '(' .. idsPrune)
end
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
  if grp.nIds > 0 then redis.call('EXPIREAT', grp.seen, grp.exp) end
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
  if bk.capQty then
    for k = 0, bk.n - 1 do
      local f = a[bk.f0 + 2 * k]
      if string.sub(f, -6) ~= 'qty_e8' then redis.call('HINCRBY', bk.key, f, a[bk.f0 + 2 * k + 1]) end
    end
    redis.call('HINCRBY', bk.key, 'qty_capped', bk.countInc)
  else
    for k = 0, bk.n - 1 do
      redis.call('HINCRBY', bk.key, a[bk.f0 + 2 * k], a[bk.f0 + 2 * k + 1])
    end
  end
  redis.call('EXPIREAT', bk.key, bk.exp)
end
-- One XADD per entry; the argument tables are built once and refilled (no table per entry for the GC).
local base = { KEYS[1], '*', 'id', '', 'ts', '', 'exchange', '', 'symbol', '', 'side', '', 'price', '', 'quantity', '', 'value_cents', '', 'usd', '' }
for e = 0, E - 1 do
  local q = p + 9 * e
  if e == 0 and minid ~= '' then
    local args = { KEYS[1], 'MINID', '~', minid, '*' }
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
if E > 0 and ARGV[2] and ARGV[2] ~= '' then redis.call('EXPIREAT', KEYS[1], ARGV[2]) end
local before = '0'
if marker ~= '' then
  before = redis.call('HGET', marker, 'written') or '0'
  redis.call('HSETNX', marker, 'started', a[6])
  redis.call('HINCRBY', marker, 'written', E)
  redis.call('PEXPIRE', marker, a[7])
end
local reply = { 'OK', tostring(E), before }
-- alerts: recorded here, once, whatever the number of daemons (see the top of this file)
local function alert(fields)
  local xa = { KEYS[2], 'MINID', '~', alertMinid, '*' }
  local o = {}
  for k = 1, #fields, 2 do
    xa[#xa + 1] = fields[k]
    xa[#xa + 1] = fields[k + 1]
    o[fields[k]] = fields[k + 1]
  end
  redis.call('XADD', unpack(xa))
  local json = cjson.encode(o)
  redis.call('PUBLISH', 'liq:alerts', json)
  reply[#reply + 1] = json
end
for k = 0, A - 1 do
  local q = p + 9 * tonumber(a[alertEntries + k])
  alert({ 'id', a[q], 'kind', 'liquidation', 'at', alertAt, 'ts', a[q + 1], 'exchange', a[q + 2], 'symbol', a[q + 3],
    'side', a[q + 4], 'price', a[q + 5], 'quantity', a[q + 6], 'value_cents', a[q + 7] })
end
for k = 1, #crossed do
  local sym, minute = string.match(crossed[k][1], '^liq:agg:(.+):60s:(%d+)$')
  sym = string.gsub(sym, '^{[^}]*}:', '')
  alert({ 'id', minute .. '|' .. sym .. '|' .. alertMinute, 'kind', 'minute', 'at', alertAt, 'minute', minute,
    'symbol', sym, 'threshold_cents', alertMinute, 'value_cents', crossed[k][2] })
end
if #reply > 3 and ARGV[3] and ARGV[3] ~= '' then redis.call('EXPIREAT', KEYS[2], ARGV[3]) end
return reply
`;

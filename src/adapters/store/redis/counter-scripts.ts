// The counters' Lua: each operation is one script run atomically on the sender's slot (loaded once, run
// by SHA with node-redis's EVALSHA→EVAL fallback on NOSCRIPT, as Rspamd's lua_redis.lua does).
// Time comes from the caller in ARGV, never Redis TIME, so every node (and a test's fixed clock) decides
// on the same instant it reasons about; numbers travel in ARGV, key names in KEYS, so Redis Cluster
// accepts the scripts.
//
// One hash per sender, sparse (Rspamd keeps one hash per bucket; envoy's key per window costs KBs):
//   <minute>   "external:internal:messages"   one field per minute that saw a commit, for 24 h
//   s<second>  messages                        one field per second that saw a commit, for 60 s
//   h<message> "deadline:external:internal"   what an open message holds (its recipients: r{…}<message>)
//   c<message> expiry                          a committed message, so a second commit adds nothing
// The minute field is the bare number, which a listpack stores as a 4-byte integer (6 B with its
// header and back-length, against 11 B for "m29405340"): the field that stays for a day. Hashes written
// before (fields "m<minute>", and "i", the time of the active-index entry since dropped) are read as
// they are: "m" fields count as minutes and age out as those do, "i" is dropped at the next read.
// Stale fields are dropped by whichever script reads the hash next, and the key itself expires a day
// after its last write. Holds carry their own deadline, checked against the caller's clock: Rspamd's
// pending count has none besides the key TTL, which a busy sender keeps refreshing, hence its "stuck
// bucket" bugs (rspamd#4467, #4637). WildDuck's ttlcounter.lua is the model for refusing without adding.
import { defineScript } from 'redis';
import type { CommandParser } from '@redis/client';

/** Shared by every script: parsing, and one pass over the hash that prunes and sums. */
const PRELUDE = `
local function split3(v)
  local a, b, c = string.match(v, '^(%-?%d+):(%-?%d+):(%-?%d+)$')
  return tonumber(a), tonumber(b), tonumber(c)
end

-- The sender's totals at now, less the open message own's hold (returned apart); drops stale fields.
-- Mirrors SendingWindow: the hour sums minutes > now-60, the day minutes > now-1440, the message rate
-- seconds >= now-59; other messages' live holds count in the hour and day windows unless windowOnly.
-- The day comes split, external then internal, as the hour does. Also returns how many minute buckets
-- are still in the day window.
local function scan(key, now, own, windowOnly)
  local minute = math.floor(now / 60000)
  local second = math.floor(now / 1000)
  local eh, ih, de, di, msgs = 0, 0, 0, 0, 0
  local hold = nil
  local live = 0
  local stale = {}
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    local f, v = flat[i], flat[i + 1]
    local t, id = string.sub(f, 1, 1), string.sub(f, 2)
    local b = string.byte(f, 1)
    if (b and b >= 48 and b <= 57) or t == 'm' then
      local m = tonumber(t == 'm' and id or f)
      if m <= minute - 1440 then
        stale[#stale + 1] = f
      else
        local e, n = split3(v)
        live = live + 1
        de = de + e; di = di + n
        if m > minute - 60 then eh = eh + e; ih = ih + n end
      end
    elseif t == 's' then
      if tonumber(id) < second - 59 then stale[#stale + 1] = f else msgs = msgs + tonumber(v) end
    elseif t == 'h' then
      local d, e, n = split3(v)
      if d <= now then
        stale[#stale + 1] = f
      elseif id == own then
        hold = { e, n }
      elseif not windowOnly then
        eh = eh + e; ih = ih + n; de = de + e; di = di + n
      end
    elseif t == 'c' then
      if tonumber(v) <= now then stale[#stale + 1] = f end
    elseif t == 'i' then
      stale[#stale + 1] = f
    end
  end
  for i = 1, #stale, 500 do
    redis.call('HDEL', key, unpack(stale, i, math.min(i + 499, #stale)))
  end
  return eh, ih, de, di, msgs, hold, live
end

local function within(cap, v)
  return cap < 0 or v <= cap
end
`;

type Args = readonly [keys: readonly string[], args: readonly string[]];

function script(numberOfKeys: number, body: string) {
  return defineScript({
    SCRIPT: PRELUDE + body,
    NUMBER_OF_KEYS: numberOfKeys,
    parseCommand(parser: CommandParser, ...[keys, args]: Args) {
      for (const k of keys) parser.pushKey(k);
      parser.push(...args);
    },
    transformReply: (reply: unknown) => reply as number[] | number,
  });
}

/**
 * KEYS: windows, recipients of the message. ARGV: now, message, recipient, internal (1|0), hold ttl ms,
 * key ttl ms, caps external/h, internal/h, day, per message, messages/min (-1: none).
 * Returns {reserved, externalLastHour, internalLastHour, externalLast24h, internalLast24h, messagesLastMinute,
 * tally ext, tally int}.
 */
const RESERVE = script(
  2,
  `
local now, message = tonumber(ARGV[1]), ARGV[2]
local eh, ih, de, di, msgs, hold = scan(KEYS[1], now, message, false)
local he, hi = 0, 0
if hold then
  he, hi = hold[1], hold[2]
  if redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 1 then return { 1, eh, ih, de, di, msgs, he, hi } end
elseif message ~= '' then
  -- A lapsed (or released) hold: the recipients it named are held no longer.
  redis.call('DEL', KEYS[2])
end
if ARGV[4] == '1' then hi = hi + 1 else he = he + 1 end
local fits = within(tonumber(ARGV[10]), he + hi) and within(tonumber(ARGV[11]), msgs + 1)
  and within(tonumber(ARGV[7]), eh + he) and within(tonumber(ARGV[8]), ih + hi)
  and within(tonumber(ARGV[9]), de + di + he + hi)
if not fits then return { 0, eh, ih, de, di, msgs, he, hi } end
if message ~= '' then
  redis.call('SADD', KEYS[2], ARGV[3])
  -- Only garbage collection: the hold's deadline (below) is what frees the quota.
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  redis.call('HSET', KEYS[1], 'h' .. message, string.format('%d:%d:%d', now + tonumber(ARGV[5]), he, hi))
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return { 1, eh, ih, de, di, msgs, he, hi }
`,
);

/**
 * KEYS: windows. ARGV: now, message, window only (1|0: leave out every hold, as reports see it).
 * Returns {externalLastHour, internalLastHour, externalLast24h, internalLast24h, messagesLastMinute, live minute buckets}.
 */
const TOTALS = script(
  1,
  `
local eh, ih, de, di, msgs, _, live = scan(KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3] == '1')
return { eh, ih, de, di, msgs, live }
`,
);

/**
 * KEYS: windows, recipients of the message. ARGV: at, message, external, internal, messages, hold ttl ms
 * (how long the commit is remembered), key ttl ms. Returns 0 for a repeated commit, 1 when counted.
 */
const COMMIT = script(
  2,
  `
local at, message = tonumber(ARGV[1]), ARGV[2]
scan(KEYS[1], at, '', true)
if message ~= '' then
  local done = redis.call('HGET', KEYS[1], 'c' .. message)
  if done and tonumber(done) > at then return 0 end
  redis.call('HSET', KEYS[1], 'c' .. message, string.format('%d', at + tonumber(ARGV[6])))
  redis.call('HDEL', KEYS[1], 'h' .. message)
  redis.call('DEL', KEYS[2])
end
local ext, int, n = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local mf = string.format('%d', math.floor(at / 60000))
local e, i, k = 0, 0, 0
local v = redis.call('HGET', KEYS[1], mf)
if v then e, i, k = split3(v) end
redis.call('HSET', KEYS[1], mf, string.format('%d:%d:%d', e + ext, i + int, k + n))
if n > 0 then redis.call('HINCRBY', KEYS[1], 's' .. string.format('%d', math.floor(at / 1000)), n) end
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1
`,
);

/** KEYS: windows, recipients of the message. ARGV: message. */
const RELEASE = script(
  2,
  `
redis.call('HDEL', KEYS[1], 'h' .. ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`,
);

/** KEYS: windows. Drops the windows and holds, keeps the commit markers (a repeated commit still adds nothing). */
const RESET = script(
  1,
  `
local drop = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do
  if string.sub(flat[i], 1, 1) ~= 'c' then drop[#drop + 1] = flat[i] end
end
for i = 1, #drop, 500 do
  redis.call('HDEL', KEYS[1], unpack(drop, i, math.min(i + 499, #drop)))
end
return #drop
`,
);

export const COUNTER_SCRIPTS = { ogReserve: RESERVE, ogTotals: TOTALS, ogCommit: COMMIT, ogRelease: RELEASE, ogReset: RESET };

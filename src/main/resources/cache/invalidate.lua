#!lua flags=allow-oom
-- Records after a commit that a post is now at least at a version ("t:<version>", a tombstone), or deleted ("g"),
-- drops the first page, which any write to any post may change, and tells every replica that holds a near-cache lease
-- to drop both from its memory.
-- KEYS[1] entry, KEYS[2] lease, KEYS[3] first page, KEYS[4] its lease, KEYS[5] the mark that this recorded
-- invalidation was applied, KEYS[6] the near-cache members (member id -> invalidations sent to it), KEYS[7] the mark
-- that this Redis's key space was wiped less than a near-cache lease ago;
-- ARGV[1] version, or "g" for a deletion; ARGV[2] ttl (ms); ARGV[3] the mark's ttl (ms); ARGV[4] "once" for a
-- recorded invalidation, "always" for one that was not recorded (a write that acknowledges a version an earlier write
-- recorded and may not have applied yet: it drops the page itself, mark or not); ARGV[5] "wait" when a writer waits
-- for the members' answers before its acknowledgement (it tells them even if nothing here changed: the write that
-- changed it may not have had their answers yet), "late" for the relay (it tells them only what changed); ARGV[6] the
-- channel the writer hears answers on, ARGV[7] its token; ARGV[8] the prefix of the members' lease keys and channels;
-- ARGV[9] the post id.
-- The version stored for a post never goes down, so an invalidation that arrives late (a retry, the relay) changes
-- nothing, and a fill that read an older version loses. Taking the lease away makes a fill that is in flight lose too.
-- The page has no version to compare: it is dropped with its lease the first time this invalidation is applied, so a
-- page fill that read the database before this write's commit loses, and the next reader loads it after the commit.
-- The relay applies every recorded invalidation once more; the mark keeps that from dropping a page filled since. A
-- mark that expired or was lost only costs one more page miss.
-- It runs on any primary, trusted or not, and whatever its memory (flags=allow-oom): it only moves entries forward or
-- drops them, and an invalidation refused for memory would leave an older version readable. A replica refuses it, as
-- it refuses every script here: their first line says they write.
-- Returns {applied (1 when the entry moved forward), the wiped mark's remaining ms (negative when there is none),
-- 1 when this node is trusted (0: it may have replaced one that granted leases to members it does not know), then for
-- each member told: its id, how many of its connections got the message (0: it is not subscribed here), and its
-- lease's remaining ms}.
local changed = 0
if ARGV[4] == 'always' or redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[3]) then
  redis.call('DEL', KEYS[3], KEYS[4])
  changed = 1
end

local function advance()
  local entry = redis.call('GET', KEYS[1])
  if entry == 'g' then
    return 0
  end
  if ARGV[1] ~= 'g' and entry then
    local stored = tonumber(string.match(entry, '^%a:(%d+)'))
    if stored and stored >= tonumber(ARGV[1]) then
      return 0
    end
  end
  redis.call('DEL', KEYS[2])
  if ARGV[1] == 'g' then
    redis.call('SET', KEYS[1], 'g', 'PX', ARGV[2])
  else
    redis.call('SET', KEYS[1], 't:' .. ARGV[1], 'PX', ARGV[2])
  end
  return 1
end

local applied = advance()
local reply = {applied, redis.call('PTTL', KEYS[7]), trusted() and 1 or 0}
if ARGV[5] ~= 'wait' and applied == 0 and changed == 0 then
  return reply
end
local message = ARGV[9] .. '|' .. ARGV[6] .. '|' .. ARGV[7]
for _, member in ipairs(redis.call('HKEYS', KEYS[6])) do
  local left = redis.call('PTTL', ARGV[8] .. 'lease:' .. member)
  if left < 0 then
    -- Its lease ran out here, so by its own clock it stopped serving from memory earlier; it must join again.
    redis.call('HDEL', KEYS[6], member)
  else
    redis.call('HINCRBY', KEYS[6], member, 1)
    table.insert(reply, member)
    table.insert(reply, redis.call('PUBLISH', ARGV[8] .. 'ch:' .. member, message))
    table.insert(reply, left)
  end
end
return reply

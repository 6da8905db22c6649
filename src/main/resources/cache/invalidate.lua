-- Records after a commit that a post is now at least at a version ("t:<version>", a tombstone), or deleted ("g"),
-- and drops the first page, which any write to any post may change.
-- KEYS[1] entry, KEYS[2] lease, KEYS[3] first page, KEYS[4] its lease, KEYS[5] the mark that this recorded
-- invalidation was applied; ARGV[1] version, or "g" for a deletion; ARGV[2] ttl (ms); ARGV[3] the mark's ttl (ms);
-- ARGV[4] "once" for a recorded invalidation, "always" for one that was not recorded (a write that acknowledges a
-- version an earlier write recorded and may not have applied yet: it drops the page itself, mark or not).
-- The version stored for a post never goes down, so an invalidation that arrives late (a retry, the relay) changes
-- nothing, and a fill that read an older version loses. Taking the lease away makes a fill that is in flight lose too.
-- The page has no version to compare: it is dropped with its lease the first time this invalidation is applied, so a
-- page fill that read the database before this write's commit loses, and the next reader loads it after the commit.
-- The relay applies every recorded invalidation once more; the mark keeps that from dropping a page filled since. A
-- mark that expired or was lost only costs one more page miss.
if ARGV[4] == 'always' or redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[3]) then
  redis.call('DEL', KEYS[3], KEYS[4])
end
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

-- Records after a commit that a post is now at least at a version ("t:<version>", a tombstone), or deleted ("g").
-- KEYS[1] entry, KEYS[2] lease; ARGV[1] version, or "g" for a deletion; ARGV[2] ttl (ms).
-- The version stored for a post never goes down, so an invalidation that arrives late (a retry, the relay) changes
-- nothing, and a fill that read an older version loses. Taking the lease away makes a fill that is in flight lose too.
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

#!lua
-- Stores what a lease holder read from the database, if nothing newer happened meanwhile.
-- KEYS[1] entry, KEYS[2] lease; ARGV[1] lease token, ARGV[2] version read, ARGV[3] entry, ARGV[4] ttl (ms).
-- An empty entry only gives the lease back: the post was not in the database, and absence is not cached (its id may
-- yet be created).
-- The fill loses (returns 0) when its lease is gone (a write invalidated the post after the lease was handed out, or
-- the lease expired) or when the entry already holds this version or a newer one, or the post's deletion.
-- The first page is filled with version 0: invalidate.lua drops it with its lease, so only the lease decides.
if not trusted() then
  return redis.error_reply(UNTRUSTED)
end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2])
if ARGV[3] == '' then
  return 0
end
local entry = redis.call('GET', KEYS[1])
if entry then
  if entry == 'g' then
    return 0
  end
  local kind, stored = string.match(entry, '^(%a):(%d+)')
  stored = tonumber(stored)
  local read = tonumber(ARGV[2])
  if stored > read or (stored == read and kind == 'v') then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1

#!lua
-- Reads a post's entry (or the first page's, "v:0:<format>:<json>"), or hands out the lease to fill it.
-- KEYS[1] entry, KEYS[2] lease; ARGV[1] lease token, ARGV[2] lease ttl (ms).
-- Returns the entry ("v:<version>:<format>:<json>" or "g" for a deleted post), "L" when the caller now holds the lease and
-- should read the database and fill, or "W" when another caller holds it and this one should wait and retry.
if not trusted() then
  return redis.error_reply(UNTRUSTED)
end
local entry = redis.call('GET', KEYS[1])
if entry and string.sub(entry, 1, 1) ~= 't' then
  return entry
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 'L'
end
return 'W'

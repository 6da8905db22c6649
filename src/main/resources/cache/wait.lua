#!lua
-- What a reader that read.lua told to wait sends next: read.lua's look again, or the lease taken over from a holder
-- that has held it longer than the lease wait (paused, cut off or slow), so that one reader replaces it rather than
-- every reader that waited for it reading the database.
-- KEYS[1] entry, KEYS[2] lease; ARGV[1] lease token, ARGV[2] lease ttl (ms), ARGV[3] lease wait (ms).
-- Returns what read.lua does, or "T" when the caller took the lease over and should read the database and fill.
-- A lease's age is the lease ttl less what remains of it, on Redis's clock: a waiter's own pause does not count
-- against a holder that is on time. A holder whose lease was taken over loses its fill (fill.lua).
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
local left = redis.call('PTTL', KEYS[2])
if left < 0 or tonumber(ARGV[2]) - left >= tonumber(ARGV[3]) then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return 'T'
end
return 'W'

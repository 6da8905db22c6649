#!lua
-- Grants or renews a replica's near-cache lease: while it holds one, the replica may serve entries from its own memory,
-- and every invalidation is sent to it (invalidate.lua) and waited for by the writer, or waited out.
-- KEYS[1] the near-cache members (member id -> invalidations sent to it), KEYS[2] this member's lease;
-- ARGV[1] member id, ARGV[2] its channel, ARGV[3] lease ttl (ms), ARGV[4] "join" for a member's first lease.
-- Returns how many invalidations were sent to the member so far: the lease is good only once the member has handled
-- that many, so a message still on its way when the lease was renewed cannot be outlived by it. Returns "U" when no
-- connection of the member's is subscribed to its channel on this Redis (it would not hear invalidations), and "E" when
-- the member is unknown here (its lease ran out, or the key space was wiped): it must join again, as a new member.
if not trusted() then
  return redis.error_reply(UNTRUSTED)
end
if redis.call('PUBSUB', 'NUMSUB', ARGV[2])[2] == 0 then
  return 'U'
end
local sent = redis.call('HGET', KEYS[1], ARGV[1])
if not sent then
  if ARGV[4] ~= 'join' then
    return 'E'
  end
  sent = '0'
  redis.call('HSET', KEYS[1], ARGV[1], sent)
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return tonumber(sent)

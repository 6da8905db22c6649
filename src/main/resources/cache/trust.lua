-- Whether this Redis is a node the protocol may read from: a primary whose key space was wiped, or checked, while it
-- had the replication id it has now (KeySpaceWipe records it under KEY_SPACE .. 'wiped-on'). A failover, a fail-back
-- and a demotion change a node's replication id, and Redis keeps its script cache through all three; a restart loses
-- the script cache itself. RedisScripts puts these lines at the top of every script, after KEY_SPACE.
local function trusted()
  local info = redis.call('INFO', 'replication')
  local wiped = redis.call('GET', KEY_SPACE .. 'wiped-on')
  return wiped and string.find(info, '\r\nrole:master\r\n', 1, true) ~= nil
    and string.find(info, '\r\nmaster_replid:' .. wiped .. '\r\n', 1, true) ~= nil
end
local UNTRUSTED = 'UNTRUSTED this Redis is not the node whose key space the replicas wiped'

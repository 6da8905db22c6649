-- wrk script: GET /posts/{id} for ids drawn uniformly from 1..POSTS_BENCH_IDS; with WRK_DELAY_MS, each connection
-- waits that long between requests (a paced load, for latency below saturation).
local ids = tonumber(os.getenv("POSTS_BENCH_IDS") or "1000")
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  return wrk.format("GET", "/posts/" .. math.random(1, ids))
end

if pause > 0 then
  delay = function()
    return pause
  end
end
